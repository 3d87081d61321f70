import assert from "node:assert/strict";
import type { BpfObject } from "../../ffi/libbpf.ts";
import { applyKaddrs, NO_SYMBOLS } from "../../src/exporter/kaddrs.ts";
import { KallsymsTable } from "../../src/host/kallsyms.ts";

/** An object whose .rodata holds one u64 `kaddr_<symbol>` per symbol, 8 bytes apart. */
function fakeObject(symbols: string[]): { object: BpfObject; rodata: () => Uint8Array } {
  let initial = new Uint8Array(symbols.length * 8);
  const rodata = {
    name: "prog.rodata",
    initialValue: () => initial.slice(),
    setInitialValue: (b: Uint8Array) => (initial = b.slice()),
  };
  const object = {
    maps: () => [rodata],
    globalVariable: (_section: string, name: string) => {
      const i = symbols.indexOf(name.replace(/^kaddr_/, ""));
      return i < 0 ? null : { offset: i * 8, size: 8 };
    },
  };
  return { object: object as unknown as BpfObject, rodata: () => initial };
}

const table = (text: string) => new KallsymsTable(new TextEncoder().encode(text));

Deno.test("kaddrs writes each symbol's kallsyms address into .rodata", () => {
  const { object, rodata } = fakeObject(["_stext", "dup"]);
  const syms = table(
    "ffffffff81000000 T _stext\n0000000000000001 t dup\n0000000000000002 t dup\n",
  );
  applyKaddrs(object, ["_stext", "dup"], syms);
  const view = new DataView(rodata().buffer);
  assert.equal(view.getBigUint64(0, true), 0xffffffff81000000n);
  assert.equal(view.getBigUint64(8, true), 2n);
});

Deno.test("kaddrs name the symbol that kallsyms lacks or hides", () => {
  const { object } = fakeObject(["pipe_lock"]);
  assert.throws(
    () => applyKaddrs(object, ["pipe_lock"], NO_SYMBOLS),
    /^Error: kaddr symbol "pipe_lock" not found in \/proc\/kallsyms$/,
  );
  assert.throws(
    () => applyKaddrs(object, ["pipe_lock"], table("0000000000000000 T pipe_lock\n")),
    /kaddr symbol "pipe_lock" has no address: \/proc\/kallsyms hides addresses/,
  );
});
