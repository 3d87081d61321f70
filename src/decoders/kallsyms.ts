/**
 * A parsed /proc/kallsyms shared by `ksym` and `kstack`: addresses sorted once, binary search
 * for exact and floor (nearest preceding symbol) lookups.
 *
 * Re-reads: a lookup miss may mean a module or BPF program was loaded after the last read, so
 * a miss re-reads the file once and retries. Unlike upstream (which re-reads on every miss),
 * re-reads go through a `RereadLimiter`: at most one per second, and while re-reads keep
 * finding an unchanged file the interval doubles up to 30 s. Parsing the ~120k lines of a
 * real kallsyms costs tens of milliseconds, so this bounds the cost of addresses that never
 * resolve. Results of misses are marked transient by the decoders, so they are retried later.
 */

import type { DecoderContext } from "./types.ts";
import { clockOf, RereadLimiter, shared } from "./shared.ts";
import { lenientText } from "./text.ts";

/** Where the kernel lists its symbols. */
export const KALLSYMS_PATH = "/proc/kallsyms";

/**
 * Sorted symbol table. Addresses are split into 32-bit halves and names are kept as offsets
 * into the raw file, decoded only when looked up: a real kallsyms has ~120k lines, and
 * per-line bigints and strings made parsing ten times slower.
 */
export interface SymbolTable {
  raw: Uint8Array;
  hi: Uint32Array;
  lo: Uint32Array;
  nameStart: Uint32Array;
  nameEnd: Uint32Array;
}

const NL = 10;
const SPACE = 32;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Parses kallsyms: lines are split on single spaces, lines with fewer than three fields or a
 * non-hex address are ignored, field 2 is the name (module symbols keep their `\t[module]`
 * suffix). Among symbols sharing an address the first one listed wins.
 */
export function parseKallsyms(raw: Uint8Array): SymbolTable {
  const cap = Math.ceil(raw.length / 20) + 16; // lines are at least ~20 bytes; grown below if not
  let hi: Uint32Array = new Uint32Array(cap);
  let lo: Uint32Array = new Uint32Array(cap);
  let nameStarts: Uint32Array = new Uint32Array(cap);
  let nameEnds: Uint32Array = new Uint32Array(cap);
  let count = 0;
  const n = raw.length;
  let pos = 0;
  // One pass over the bytes with plain loops: TypedArray#indexOf per field was the slow part.
  while (pos < n) {
    let i = pos;
    let h = 0;
    let l = 0;
    for (; i < n; i++) {
      const v = hexValue(raw[i]!);
      if (v < 0) break;
      h = ((h << 4) | (l >>> 28)) >>> 0;
      l = ((l << 4) | v) >>> 0;
    }
    const digits = i - pos;
    let s2 = -1;
    let s3 = -1;
    if (digits > 0 && digits <= 16 && raw[i] === SPACE) {
      for (i++; i < n && raw[i] !== NL; i++) {
        if (raw[i] !== SPACE) continue;
        if (s2 < 0) s2 = i;
        else if (s3 < 0) s3 = i;
      }
    }
    while (i < n && raw[i] !== NL) i++;
    if (s2 >= 0) {
      if (count === hi.length) {
        hi = grow(hi);
        lo = grow(lo);
        nameStarts = grow(nameStarts);
        nameEnds = grow(nameEnds);
      }
      hi[count] = h;
      lo[count] = l;
      nameStarts[count] = s2 + 1;
      nameEnds[count] = s3 < 0 ? i : s3;
      count++;
    }
    pos = i + 1;
  }
  const table = {
    raw,
    hi: hi.subarray(0, count),
    lo: lo.subarray(0, count),
    nameStart: nameStarts.subarray(0, count),
    nameEnd: nameEnds.subarray(0, count),
  };
  return isSorted(table) ? table : sortTable(table);
}

function grow(a: Uint32Array): Uint32Array {
  const grown = new Uint32Array(a.length * 2);
  grown.set(a);
  return grown;
}

function isSorted(t: SymbolTable): boolean {
  for (let k = 1; k < t.hi.length; k++) {
    if (t.hi[k - 1]! > t.hi[k]! || (t.hi[k - 1] === t.hi[k] && t.lo[k - 1]! > t.lo[k]!)) {
      return false;
    }
  }
  return true;
}

function sortTable(t: SymbolTable): SymbolTable {
  const order = Array.from(t.hi, (_, k) => k);
  // Array#sort is stable, so equal addresses keep file order.
  order.sort((a, b) => (t.hi[a]! - t.hi[b]!) || (t.lo[a]! - t.lo[b]!));
  const pick = (a: Uint32Array) => Uint32Array.from(order, (k) => a[k]!);
  return {
    raw: t.raw,
    hi: pick(t.hi),
    lo: pick(t.lo),
    nameStart: pick(t.nameStart),
    nameEnd: pick(t.nameEnd),
  };
}

/** Number of symbols in a table. */
export function symbolCount(table: SymbolTable): number {
  return table.hi.length;
}

/** The name of entry `i`. */
export function nameAt(table: SymbolTable, i: number): string {
  return lenientText(table.raw.subarray(table.nameStart[i]!, table.nameEnd[i]!));
}

/** The address of entry `i`. */
export function addressAt(table: SymbolTable, i: number): bigint {
  return (BigInt(table.hi[i]!) << 32n) | BigInt(table.lo[i]!);
}

/** Index of the first symbol at the highest address ≤ `addr`, or -1 when there is none. */
export function floorIndex(table: SymbolTable, addr: bigint): number {
  const h = Number(addr >> 32n);
  const l = Number(addr & 0xffffffffn);
  const { hi, lo } = table;
  let a = 0;
  let b = hi.length; // first index whose address is > addr
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (hi[mid]! < h || (hi[mid] === h && lo[mid]! <= l)) a = mid + 1;
    else b = mid;
  }
  let i = a - 1;
  while (i > 0 && hi[i - 1] === hi[i] && lo[i - 1] === lo[i]) i--;
  return i;
}

/** The kallsyms table of one host, with rate-limited re-reads on misses. */
export class Kallsyms {
  #read: () => Uint8Array | null;
  #limiter: RereadLimiter;
  #table: SymbolTable;
  #bytes: number;

  /** Reads the table now; throws when the first read fails. */
  constructor(read: () => Uint8Array | null, limiter: RereadLimiter) {
    this.#read = read;
    this.#limiter = limiter;
    const raw = read();
    if (raw === null) throw new Error(`Cannot read "${KALLSYMS_PATH}"`);
    this.#table = parseKallsyms(raw.slice());
    this.#bytes = raw.length;
  }

  /** Number of symbols currently loaded. */
  get size(): number {
    return symbolCount(this.#table);
  }

  /** The symbol exactly at `addr`, or `null` (after one permitted re-read). */
  exact(addr: bigint): string | null {
    const hit = this.#exactNow(addr);
    if (hit !== null || !this.#reread()) return hit;
    return this.#exactNow(addr);
  }

  /** The nearest preceding symbol of each address (`null` where none), re-reading on a miss. */
  stack(addrs: bigint[]): Array<string | null> {
    let out = addrs.map((a) => this.#floorNow(a));
    if (out.includes(null) && this.#reread()) out = addrs.map((a) => this.#floorNow(a));
    return out;
  }

  #exactNow(addr: bigint): string | null {
    const i = floorIndex(this.#table, addr);
    return i >= 0 && addressAt(this.#table, i) === addr ? nameAt(this.#table, i) : null;
  }

  #floorNow(addr: bigint): string | null {
    const i = floorIndex(this.#table, addr);
    return i >= 0 ? nameAt(this.#table, i) : null;
  }

  /** Re-reads when the limiter allows; returns whether the table was replaced. */
  #reread(): boolean {
    if (!this.#limiter.tryAcquire()) return false;
    const raw = this.#read();
    // A failed re-read keeps the old table (upstream panics here).
    const changed = raw !== null && raw.length !== this.#bytes;
    this.#limiter.settle(changed);
    if (raw === null) return false;
    this.#table = parseKallsyms(raw.slice());
    this.#bytes = raw.length;
    return true;
  }
}

/** The Kallsyms shared by every decoder of `ctx` (read on first use). */
export function kallsymsFor(ctx: DecoderContext): Kallsyms {
  return shared(
    ctx,
    "kallsyms",
    () => new Kallsyms(() => ctx.readFile(KALLSYMS_PATH), new RereadLimiter(clockOf(ctx))),
  );
}
