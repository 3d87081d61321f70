/**
 * `--config.check` as a user with no privilege at all (uid 65534, no capabilities, through
 * setpriv): every example passes, and bad input fails with the messages it always had. Nothing
 * here needs a kernel: the check opens objects with libbpf but never loads them.
 */

import assert from "node:assert/strict";
import { permissionFlags } from "../../src/permissions.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const PERMS = permissionFlags("exporter");
const NOBODY = 65534;
const SETPRIV = [
  "setpriv",
  `--reuid=${NOBODY}`,
  `--regid=${NOBODY}`,
  "--clear-groups",
  "--inh-caps=-all",
  "--bounding-set=-all",
  "--",
];
const BADMAPS = `${ROOT}/tests/fixtures/bpf/badmaps.bpf.o`;
const dec = new TextDecoder();

/** How the exporter is started: as nobody, or (without setpriv) as this user. */
interface Runner {
  /** Command prefix (setpriv and env) before the deno binary. */
  prefix: string[];
  /** The tree main.ts is run from (a world-readable copy when ROOT is not). */
  root: string;
  /** Why the run is not unprivileged, or null when it is. */
  privileged: string | null;
}

async function ok(cmd: string[]): Promise<boolean> {
  try {
    const r = await new Deno.Command(cmd[0]!, {
      args: cmd.slice(1),
      stdout: "null",
      stderr: "null",
    })
      .output();
    return r.success;
  } catch {
    return false;
  }
}

// nobody has no deno cache of its own: give it a copy of ours with the npm packages.
async function nobodyDenoDir(tmp: string): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  })
    .output();
  const npmCache: string = JSON.parse(dec.decode(info.stdout)).npmCache;
  const dir = `${tmp}/deno`;
  await Deno.mkdir(dir);
  assert.ok(await ok(["cp", "-r", npmCache, `${dir}/npm`]), `cannot copy ${npmCache}`);
  assert.ok(await ok(["chown", "-R", `${NOBODY}:${NOBODY}`, dir]));
  return dir;
}

// The worktree must be readable by nobody; when a parent directory is not, run from a copy.
async function readableRoot(tmp: string): Promise<string> {
  if (await ok([...SETPRIV, "test", "-r", `${ROOT}/main.ts`, "-a", "-r", BADMAPS])) return ROOT;
  const copy = `${tmp}/tree`;
  for (
    const p of ["main.ts", "deno.json", "deno.lock", "src", "ffi", "examples", "tests/fixtures"]
  ) {
    await Deno.mkdir(`${copy}/${p}`.replace(/\/[^/]+$/, ""), { recursive: true });
    assert.ok(await ok(["cp", "-rL", `${ROOT}/${p}`, `${copy}/${p}`]), `cannot copy ${p}`);
  }
  await Deno.mkdir(`${copy}/build/libbpf`, { recursive: true });
  await Deno.copyFile(
    `${ROOT}/build/libbpf/libbpf_bundle.so`,
    `${copy}/build/libbpf/libbpf_bundle.so`,
  );
  assert.ok(await ok(["chmod", "-R", "a+rX", copy]));
  return copy;
}

async function makeRunner(tmp: string): Promise<Runner> {
  if (Deno.uid() !== 0) return { prefix: [], root: ROOT, privileged: null };
  if (!(await ok(["setpriv", "--version"]))) {
    return { prefix: [], root: ROOT, privileged: "setpriv is missing (util-linux)" };
  }
  const env = ["env", "-i", `DENO_DIR=${await nobodyDenoDir(tmp)}`, `HOME=${tmp}`, "NO_COLOR=1"];
  return { prefix: [...SETPRIV, ...env], root: await readableRoot(tmp), privileged: null };
}

async function runCheck(r: Runner, args: string[]): Promise<{ code: number; out: string }> {
  const cmd = [
    ...r.prefix,
    Deno.execPath(),
    "run",
    "--quiet",
    ...PERMS,
    `${r.root}/main.ts`,
    "--log.no-timestamps",
    ...args,
    "--config.check",
  ];
  const out = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** Writes files into a fresh directory anyone can read. */
async function configDir(tmp: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: tmp, prefix: "configs-" });
  await Deno.chmod(dir, 0o755);
  for (const [f, content] of Object.entries(files)) {
    if (typeof content === "string") await Deno.writeTextFile(`${dir}/${f}`, content);
    else await Deno.writeFile(`${dir}/${f}`, content);
    await Deno.chmod(`${dir}/${f}`, 0o644);
  }
  return dir;
}

function counterYaml(name: string, size: number): string {
  return `metrics:\n  counters:\n    - name: ${name}\n      help: test counter\n      labels:\n` +
    `        - name: x\n          size: ${size}\n          decoders:\n            - name: uint\n`;
}

const BAD_INPUT: Array<{
  name: string;
  config: string;
  files: () => Promise<Record<string, string | Uint8Array>>;
  pattern: RegExp;
}> = [
  {
    name: "a missing yaml names the file",
    config: "absent",
    files: () => Promise.resolve({}),
    pattern: /absent\.yaml/,
  },
  {
    name: "a missing object file names the file",
    config: "lonely",
    files: () => Promise.resolve({ "lonely.yaml": counterYaml("key_u64", 4) }),
    pattern:
      /^Cannot load config "lonely": Cannot open ".*\/lonely\.bpf\.o": No such file or directory$/m,
  },
  {
    name: "a corrupt object file is refused",
    config: "corrupt",
    files: () =>
      Promise.resolve({
        "corrupt.yaml": counterYaml("key_u64", 4),
        "corrupt.bpf.o": new TextEncoder().encode("this is not an ELF file at all\n".repeat(20)),
      }),
    pattern:
      /^Cannot load config "corrupt": Cannot open ".*\/corrupt\.bpf\.o": BPF object format invalid$/m,
  },
  {
    name: "a metric whose map is absent names the map",
    config: "nomap",
    files: async () => ({
      "nomap.yaml": counterYaml("no_such_map", 4),
      "nomap.bpf.o": await Deno.readFile(BADMAPS),
    }),
    pattern:
      /^Cannot load config "nomap": counter "no_such_map" needs a map named "no_such_map" in ".*\/nomap\.bpf\.o", which has "value_u32", "key_u64"$/m,
  },
  {
    name: "a map whose values are not 8 bytes is refused",
    config: "narrow",
    files: async () => ({
      "narrow.yaml": counterYaml("value_u32", 4),
      "narrow.bpf.o": await Deno.readFile(BADMAPS),
    }),
    pattern:
      /^Cannot load config "narrow": value size of map "value_u32" is 4 bytes, the exporter reads u64 values \(8 bytes\)$/m,
  },
  {
    name: "labels that do not add up to the key size are refused",
    config: "short",
    files: async () => ({
      "short.yaml": counterYaml("key_u64", 4),
      "short.bpf.o": await Deno.readFile(BADMAPS),
    }),
    pattern:
      /^Cannot load config "short": key of map "key_u64" is 8 bytes, but the labels of counter "key_u64" \(x=4\) describe 4 bytes$/m,
  },
];

const tmp = await Deno.makeTempDir({ prefix: "ebpf-exporter-check-" });
await Deno.chmod(tmp, 0o755);
const runner = await makeRunner(tmp);
if (runner.privileged !== null) {
  console.warn(`SKIPPING the unprivileged --config.check of the examples: ${runner.privileged}`);
}

Deno.test("--config.check needs no privilege", async (t) => {
  try {
    await t.step({
      name: "every example passes as nobody with no capabilities",
      ignore: runner.privileged !== null,
      fn: async () => {
        const names = [...Deno.readDirSync(`${ROOT}/examples`)]
          .filter((e) => e.name.endsWith(".yaml"))
          .map((e) => e.name.slice(0, -".yaml".length))
          .sort();
        assert.ok(names.length >= 20, `only ${names.length} examples`);
        const r = await runCheck(runner, [
          "--config.dir",
          `${runner.root}/examples`,
          "--config.names",
          names.join(","),
        ]);
        assert.equal(r.code, 0, r.out);
        // libbpf's open logs nothing for a valid object: no warning may hide in the output.
        assert.match(
          r.out,
          /^Using libbpf [\d.]+ \([a-z]+: [^)]*\)\nConfig check successful, exiting\n$/,
        );
      },
    });
    for (const c of BAD_INPUT) {
      await t.step(c.name, async () => {
        const dir = await configDir(tmp, await c.files());
        const r = await runCheck(runner, ["--config.dir", dir, "--config.names", c.config]);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, c.pattern);
        assert.doesNotMatch(r.out, /Listening on|Config check successful/);
      });
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
