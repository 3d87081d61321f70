/** Bad input: one clear message, a non-zero exit, and no BPF program left loaded. */

import assert from "node:assert/strict";
import {
  kernelTest,
  loadedProgramIds,
  loadedPrograms,
  ROOT,
  runExporter,
  waitUntil,
} from "./harness.ts";

const FIXTURE_OBJ = `${ROOT}/tests/fixtures/bpf/badmaps.bpf.o`;
const FIXTURE_PROG = "badmaps_fixture"; // bpftool shows names cut to 15 characters

/**
 * Waits until no fixture program loaded since `before` remains. A failed run reports no program
 * ids, so new ids with the fixture's name stand in for them; the kernel frees a program an RCU
 * grace period after its last reference, so a short-lived one may still be listed for a moment.
 */
async function waitFixtureProgramsGone(before: Set<number>): Promise<void> {
  let left: number[] = [];
  await waitUntil("fixture programs to be freed", async () => {
    left = (await loadedPrograms())
      .filter((p) => p.name?.startsWith(FIXTURE_PROG) && !before.has(p.id))
      .map((p) => p.id);
    return left.length === 0;
  }).catch((e) => {
    throw new Error(`fixture program(s) ${left.join(", ")} left loaded: ${(e as Error).message}`);
  });
}

function counterYaml(name: string, labels: string): string {
  return `metrics:\n  counters:\n    - name: ${name}\n      help: test counter\n      labels:\n${labels}`;
}

const U32_LABEL =
  "        - name: x\n          size: 4\n          decoders:\n            - name: uint\n";
const U64_LABEL = U32_LABEL.replace("size: 4", "size: 8");

async function expectFailure(
  files: Record<string, string | Uint8Array>,
  name: string,
  pattern: RegExp,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-bad-" });
  try {
    for (const [f, content] of Object.entries(files)) {
      if (typeof content === "string") await Deno.writeTextFile(`${dir}/${f}`, content);
      else await Deno.writeFile(`${dir}/${f}`, content);
    }
    const before = await loadedProgramIds();
    const r = await runExporter(["--config.dir", dir, "--config.names", name]);
    assert.notEqual(r.code, 0, `expected failure, got exit 0:\n${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!/Listening on/.test(r.stderr), "no port opened");
    await waitFixtureProgramsGone(before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Bad input that needs no kernel (missing or corrupt files, maps that do not fit) is checked by
// tests/app/config_check_test.ts, as a user without privilege.

kernelTest("a config that fails after an earlier one loaded leaves nothing loaded", async () => {
  const object = await Deno.readFile(FIXTURE_OBJ);
  await expectFailure(
    {
      "good.yaml": counterYaml("key_u64", U64_LABEL),
      "good.bpf.o": object,
      "nomap.yaml": counterYaml("no_such_map", U32_LABEL),
      "nomap.bpf.o": object,
    },
    "good,nomap",
    /Cannot load config "nomap": counter "no_such_map" needs a map named "no_such_map"/,
  );
});

kernelTest("--config.check-attach attaches and exits 0 without opening a port", async () => {
  const r = await runExporter([
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "timers",
    "--config.check-attach",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Started with 1 configs/);
  assert.match(r.stderr, /Config check successful/);
  assert.ok(!/Listening on/.test(r.stderr));
});
