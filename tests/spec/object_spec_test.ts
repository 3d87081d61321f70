/** Object specs come from libbpf's open alone: no load, no kernel, no privilege. */

import assert from "node:assert/strict";
import { ErrnoError, LibbpfError, MapType } from "../../ffi/libbpf.ts";
import { ENOENT } from "../../ffi/errno.ts";
import { findMap, type ObjectSpec, readObjectSpec } from "../../src/spec/object_spec.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BADMAPS = `${ROOT}tests/fixtures/bpf/badmaps.bpf.o`;

Deno.test("the badmaps fixture opens to its exact programs, maps and BTF", () => {
  const expected: ObjectSpec = {
    path: BADMAPS,
    programs: [{ name: "badmaps_fixture_prog", section: "tp_btf/timer_start", autoload: true }],
    maps: [
      {
        name: "value_u32",
        type: MapType.HASH,
        keySize: 4,
        valueSize: 4,
        maxEntries: 16,
        perCpu: false,
      },
      {
        name: "key_u64",
        type: MapType.HASH,
        keySize: 8,
        valueSize: 8,
        maxEntries: 16,
        perCpu: false,
      },
    ],
    hasBtf: true,
  };
  assert.deepEqual(readObjectSpec(BADMAPS), expected);
});

Deno.test("an example's per-CPU array reads as declared, with its per-CPU flag", () => {
  const spec = readObjectSpec(`${ROOT}examples/softirqs.bpf.o`);
  const map = findMap(spec, "softirqs_total");
  assert.deepEqual(map, {
    name: "softirqs_total",
    type: MapType.PERCPU_ARRAY,
    keySize: 4,
    valueSize: 8,
    maxEntries: 10,
    perCpu: true,
  });
  assert.equal(findMap(spec, "no_such_map"), null);
});

Deno.test("a missing object is an ErrnoError with ENOENT naming the file", () => {
  assert.throws(() => readObjectSpec("/nonexistent/x.bpf.o"), (e: unknown) => {
    assert.ok(e instanceof LibbpfError);
    assert.equal(e.errno, ENOENT);
    assert.equal(e.code, "ENOENT");
    assert.equal(e.message, 'Cannot open "/nonexistent/x.bpf.o": No such file or directory');
    return true;
  });
});

Deno.test("a file that is not ELF is refused with libbpf's format error", async () => {
  const file = await Deno.makeTempFile({ suffix: ".bpf.o" });
  try {
    await Deno.writeTextFile(file, "this is not an ELF file at all\n".repeat(20));
    assert.throws(() => readObjectSpec(file), (e: unknown) => {
      assert.ok(e instanceof ErrnoError);
      assert.equal(e.errno, 4001); // LIBBPF_ERRNO__FORMAT
      assert.equal(e.message, `Cannot open "${file}": BPF object format invalid`);
      return true;
    });
  } finally {
    await Deno.remove(file);
  }
});
