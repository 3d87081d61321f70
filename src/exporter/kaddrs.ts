/**
 * `kaddrs`: for each listed kernel symbol, write its address from /proc/kallsyms into the
 * object's read-only global `kaddr_<symbol>` before load.
 */

import type { BpfObject } from "../../ffi/libbpf.ts";

/** Kernel symbol addresses by exact name (the host's Kallsyms is one). */
export interface SymbolAddresses {
  /** The address of the symbol named exactly `name`, or `null`. */
  addressOf(name: string): bigint | null;
  /** Every address is hidden from this process (kptr_restrict). */
  readonly hidden: boolean;
}

/** No symbols at all: every kaddr is missing. */
export const NO_SYMBOLS: SymbolAddresses = { addressOf: () => null, hidden: false };

/** Sets every `kaddr_<symbol>` in the object's .rodata; throws naming the symbol on a miss. */
export function applyKaddrs(
  object: BpfObject,
  symbols: string[],
  addresses: SymbolAddresses,
): void {
  const rodata = object.maps().find((m) => m.name.endsWith(".rodata"));
  const initial = rodata?.initialValue() ?? null;
  if (rodata === undefined || initial === null) {
    throw new Error(`kaddrs need a .rodata section with kaddr_<symbol> variables, found none`);
  }
  const view = new DataView(initial.buffer, initial.byteOffset, initial.byteLength);
  for (const sym of symbols) {
    const addr = addresses.addressOf(sym);
    if (addr === null) throw new Error(missing(sym, addresses.hidden));
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

function missing(sym: string, hidden: boolean): string {
  return hidden
    ? `kaddr symbol "${sym}" has no address: /proc/kallsyms hides addresses from this ` +
      `process (kernel.kptr_restrict; the exporter needs CAP_SYSLOG)`
    : `kaddr symbol "${sym}" not found in /proc/kallsyms`;
}
