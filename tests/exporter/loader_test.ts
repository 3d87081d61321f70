import assert from "node:assert/strict";
import { loadConfig, LoadError, openValidated } from "../../src/exporter/loader.ts";
import { ENOENT, findErrno } from "../../ffi/errno.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { SpecError } from "../../src/spec/validate.ts";
import { NO_SYMBOLS } from "../../src/exporter/kaddrs.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function fixtureConfig(name: string, metric: string, size: number, head = "") {
  const text =
    `${head}metrics:\n  counters:\n    - name: ${metric}\n      help: h\n      labels:\n` +
    `        - name: x\n          size: ${size}\n          decoders:\n            - name: uint\n`;
  return parseConfig({
    name,
    file: `/c/${name}.yaml`,
    objectPath: `${ROOT}tests/fixtures/bpf/badmaps.bpf.o`,
    text,
  });
}

Deno.test("a config that does not fit its object fails before load, with the SpecError as cause", () => {
  // The kaddrs step (which would fail: the object has no .rodata) and the load come later.
  const config = fixtureConfig("short", "key_u64", 4, "kaddrs:\n  - jiffies\n");
  assert.deepEqual(config.kaddrs, ["jiffies"]);
  assert.throws(() => loadConfig(config, { kernelAddresses: () => NO_SYMBOLS }), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.equal(
      e.message,
      'Cannot load config "short": key of map "key_u64" is 8 bytes, but the labels of counter ' +
        '"key_u64" (x=4) describe 4 bytes',
    );
    assert.ok(e.cause instanceof SpecError);
    assert.deepEqual(e.cause.pos, { file: "/c/short.yaml", line: 5, key: "metrics.counters[0]" });
    return true;
  });
});

Deno.test("an object that cannot be opened is a LoadError over the errno-carrying libbpf error", () => {
  const config = { ...fixtureConfig("gone", "key_u64", 8), objectPath: "/nonexistent/gone.bpf.o" };
  assert.throws(() => openValidated(config, {}), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.equal(
      e.message,
      'Cannot load config "gone": Cannot open "/nonexistent/gone.bpf.o": No such file or directory',
    );
    assert.equal(findErrno(e)?.errno, ENOENT);
    return true;
  });
});

Deno.test("a fitting config opens without loading and names the maps it reads", () => {
  const { object, spec, maps } = openValidated(fixtureConfig("ok", "key_u64", 8), {});
  try {
    assert.deepEqual(maps, { metrics: ["key_u64"], perf: [], ringbufs: [] });
    assert.deepEqual(spec.programs.map((p) => p.name), ["badmaps_fixture_prog"]);
    assert.equal(object.map("key_u64")!.fd < 0, true); // not created in the kernel
  } finally {
    object.close();
  }
});
