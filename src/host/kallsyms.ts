/**
 * The one kallsyms table: /proc/kallsyms parsed once, for address → symbol lookups (`ksym`,
 * `kstack`) and name → address lookups (`kaddrs`).
 *
 * Rules:
 * - A line is `address type name`, split on single spaces. Lines with fewer than three fields
 *   or an address that is not 1-16 hex digits are skipped; the third field is the name and
 *   anything after it is ignored.
 * - Module symbols keep their `\t[module]` suffix in the name, so they are found (and shown)
 *   as `name\t[module]`.
 * - Symbols sharing an address: address lookups give the first one listed.
 * - Names listed more than once (static functions of the same name): `addressOf` gives the
 *   last one listed; which one a config meant cannot be told from the name.
 * - When every address is zero, kptr_restrict hides them: the table is `hidden`, and no address
 *   resolves either way (rather than every address resolving to the first symbol at zero).
 */

import { HostReadError } from "./errors.ts";
import { RefreshingTable, type RereadLimiter } from "./refresh.ts";
import { lenientText } from "./text.ts";

/** Where the kernel lists its symbols. */
export const KALLSYMS_PATH = "/proc/kallsyms";

const NL = 10;
const SPACE = 32;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Symbol columns sorted by address. Addresses are split into 32-bit halves and names are kept
 * as offsets into the raw file, decoded only when looked up: a real kallsyms has ~120k lines,
 * and per-line bigints and strings made parsing ten times slower.
 */
interface Columns {
  raw: Uint8Array;
  hi: Uint32Array;
  lo: Uint32Array;
  nameStart: Uint32Array;
  nameEnd: Uint32Array;
}

/** A parsed kallsyms (see the module doc for the rules). */
export class KallsymsTable {
  #c: Columns;
  #byName: Map<string, number> | null = null;
  /** Every address is zero: kptr_restrict hides them from this process. */
  readonly hidden: boolean;

  /** Parses kallsyms bytes (kept by reference: pass a copy of a reused buffer). */
  constructor(raw: Uint8Array) {
    const c = parseColumns(raw);
    this.#c = isSorted(c) ? c : sortColumns(c);
    const n = this.#c.hi.length;
    this.hidden = n > 0 && this.#c.hi[n - 1] === 0 && this.#c.lo[n - 1] === 0;
  }

  /** Number of symbols. */
  get size(): number {
    return this.#c.hi.length;
  }

  /** Bytes of the file the table was parsed from. */
  get bytes(): number {
    return this.#c.raw.length;
  }

  /** The name of entry `i` (entries are sorted by address). */
  nameAt(i: number): string {
    return lenientText(this.#c.raw.subarray(this.#c.nameStart[i]!, this.#c.nameEnd[i]!));
  }

  /** The address of entry `i`. */
  addressAt(i: number): bigint {
    return (BigInt(this.#c.hi[i]!) << 32n) | BigInt(this.#c.lo[i]!);
  }

  /** Index of the first symbol at the highest address ≤ `addr`; -1 when none (or hidden). */
  floorIndex(addr: bigint): number {
    if (this.hidden) return -1;
    const h = Number(addr >> 32n);
    const l = Number(addr & 0xffffffffn);
    const { hi, lo } = this.#c;
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

  /** The symbol exactly at `addr`, or `null`. */
  symbolAt(addr: bigint): string | null {
    const i = this.floorIndex(addr);
    return i >= 0 && this.addressAt(i) === addr ? this.nameAt(i) : null;
  }

  /** The nearest symbol at or before `addr`, or `null`. */
  symbolBefore(addr: bigint): string | null {
    const i = this.floorIndex(addr);
    return i >= 0 ? this.nameAt(i) : null;
  }

  /** The address of the symbol named exactly `name`, or `null` (also when hidden). */
  addressOf(name: string): bigint | null {
    if (this.hidden) return null;
    // Built on first use: only kaddrs asks, and decoding every name costs a few milliseconds.
    if (this.#byName === null) {
      this.#byName = new Map();
      for (let i = 0; i < this.size; i++) this.#byName.set(this.nameAt(i), i);
    }
    const i = this.#byName.get(name);
    return i === undefined ? null : this.addressAt(i);
  }
}

function parseColumns(raw: Uint8Array): Columns {
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
  return {
    raw,
    hi: hi.subarray(0, count),
    lo: lo.subarray(0, count),
    nameStart: nameStarts.subarray(0, count),
    nameEnd: nameEnds.subarray(0, count),
  };
}

function grow(a: Uint32Array): Uint32Array {
  const grown = new Uint32Array(a.length * 2);
  grown.set(a);
  return grown;
}

function isSorted(t: Columns): boolean {
  for (let k = 1; k < t.hi.length; k++) {
    if (t.hi[k - 1]! > t.hi[k]! || (t.hi[k - 1] === t.hi[k] && t.lo[k - 1]! > t.lo[k]!)) {
      return false;
    }
  }
  return true;
}

function sortColumns(t: Columns): Columns {
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

/** The host's kallsyms, read when built and reloaded on misses as often as `limiter` allows. */
export class Kallsyms {
  #table: RefreshingTable<KallsymsTable>;

  /** Reads the table now; throws `HostReadError` when the first read fails. */
  constructor(read: () => Uint8Array | null, limiter: RereadLimiter) {
    this.#table = new RefreshingTable({
      initial() {
        const raw = read();
        if (raw === null) throw new HostReadError(KALLSYMS_PATH);
        return new KallsymsTable(raw.slice());
      },
      reload(current) {
        // A failed re-read keeps the old table (upstream panics here).
        const raw = read();
        if (raw === null) return null;
        return { table: new KallsymsTable(raw.slice()), changed: raw.length !== current.bytes };
      },
    }, limiter);
    this.#table.current();
  }

  /** Number of symbols currently loaded. */
  get size(): number {
    return this.#table.current().size;
  }

  /** Whether kptr_restrict hides every address from this process. */
  get hidden(): boolean {
    return this.#table.current().hidden;
  }

  /** The symbol exactly at `addr`, or `null` (after one permitted reload). */
  exact(addr: bigint): string | null {
    return this.#table.lookup((t) => t.symbolAt(addr));
  }

  /** The nearest preceding symbol of each address (`null` where none), reloading on a miss. */
  stack(addrs: bigint[]): Array<string | null> {
    return this.#table.lookup((t) => addrs.map((a) => t.symbolBefore(a)), (r) => r.includes(null));
  }

  /** The address of the symbol named exactly `name`, or `null` (after one permitted reload). */
  addressOf(name: string): bigint | null {
    return this.#table.lookup((t) => t.addressOf(name));
  }
}
