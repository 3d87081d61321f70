/**
 * `kaddrs`: for each listed kernel symbol, write its address from /proc/kallsyms into the
 * object's read-only global `kaddr_<symbol>` before load.
 */

import type { BpfObject } from "../../ffi/libbpf.ts";

/** Symbol → address from /proc/kallsyms text (exact names; module symbols keep their suffix). */
export function parseKallsymsAddresses(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    if (fields.length !== 3) continue;
    const addr = /^[0-9a-fA-F]+$/.test(fields[0]!) ? BigInt("0x" + fields[0]) : null;
    if (addr !== null) out.set(fields[2]!, addr);
  }
  return out;
}

/** Sets every `kaddr_<symbol>` in the object's .rodata; throws naming the symbol on a miss. */
export function applyKaddrs(
  object: BpfObject,
  symbols: string[],
  addresses: Map<string, bigint>,
): void {
  const rodata = object.maps().find((m) => m.name.endsWith(".rodata"));
  const initial = rodata?.initialValue() ?? null;
  if (rodata === undefined || initial === null) {
    throw new Error(`kaddrs need a .rodata section with kaddr_<symbol> variables, found none`);
  }
  const view = new DataView(initial.buffer, initial.byteOffset, initial.byteLength);
  for (const sym of symbols) {
    const addr = addresses.get(sym);
    if (addr === undefined) throw new Error(`kaddr symbol "${sym}" not found in /proc/kallsyms`);
    const v = object.globalVariable(".rodata", `kaddr_${sym}`);
    if (v === null || v.size !== 8) {
      throw new Error(
        `kaddr symbol "${sym}" needs a "const volatile u64 kaddr_${sym}" in the program`,
      );
    }
    view.setBigUint64(v.offset, addr, true);
  }
  rodata.setInitialValue(initial);
}
