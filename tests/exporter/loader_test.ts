import assert from "node:assert/strict";
import type { LabelConfig } from "../../src/config/types.ts";
import {
  expectedKeySize,
  loadConfig,
  LoadError,
  openValidated,
} from "../../src/exporter/loader.ts";
import { ENOENT, findErrno } from "../../ffi/errno.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { SpecError } from "../../src/spec/validate.ts";

function label(name: string, size: number, padding = 0): LabelConfig {
  return { name, size, padding, decoders: [], pos: { file: "t.yaml", line: 1, key: name } };
}

Deno.test("key size is the sum of label sizes and paddings", () => {
  assert.equal(expectedKeySize([label("a", 4), label("b", 1, 3), label("c", 8)], false), 16);
});

Deno.test("a metric without labels reads a one-slot array's 4-byte key", () => {
  assert.equal(expectedKeySize([], false), 4);
  assert.equal(expectedKeySize([], true), 4);
});

Deno.test("a trailing cpu label on a per-CPU map is not part of the map key", () => {
  assert.equal(expectedKeySize([label("vector", 4), label("cpu", 2)], true), 4);
  assert.equal(expectedKeySize([label("vector", 4), label("cpu", 2)], false), 6);
});

Deno.test("a lone cpu label on a per-CPU map sits on a u32 key", () => {
  assert.equal(expectedKeySize([label("cpu", 2)], true), 4);
});

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
  assert.throws(() => loadConfig(config, { kernelAddresses: () => new Map() }), (e: unknown) => {
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
    assert.deepEqual(maps, { metrics: ["key_u64"], perf: [] });
    assert.deepEqual(spec.programs.map((p) => p.name), ["badmaps_fixture_prog"]);
    assert.equal(object.map("key_u64")!.fd < 0, true); // not created in the kernel
  } finally {
    object.close();
  }
});
