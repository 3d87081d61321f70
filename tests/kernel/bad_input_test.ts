/** Bad input: one clear message, a non-zero exit, and no BPF program left loaded. */

import assert from "node:assert/strict";
import { kernelTest, loadedProgramIds, ROOT, runExporter, waitNewProgramsGone } from "./harness.ts";

const FIXTURE_OBJ = `${ROOT}/tests/fixtures/bpf/badmaps.bpf.o`;
const FIXTURE_PROG = "badmaps_fixture"; // bpftool shows names cut to 15 characters

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
    await waitNewProgramsGone(before, [FIXTURE_PROG]);
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
