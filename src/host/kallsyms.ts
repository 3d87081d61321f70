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

/** Value of each byte as a hex digit, -1 for other bytes (a table: no call per digit). */
const HEX = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 16; c++) {
    t["0123456789abcdef".charCodeAt(c)] = c;
    t["0123456789ABCDEF".charCodeAt(c)] = c;
  }
  return t;
})();

/**
 * Symbol columns sorted by address. Addresses are split into 32-bit halves, and the names are
 * copied end to end into one byte array (symbol `i` is `names[nameOffset[i]..nameOffset[i+1]]`),
 * decoded only when looked up: a real kallsyms has ~120k lines, per-line bigints and strings made
 * parsing ten times slower, and keeping the whole file (addresses, types, separators) held twice
 * the bytes the names need. The file itself is not kept.
 */
interface Columns {
  hi: Uint32Array;
  lo: Uint32Array;
  names: Uint8Array;
  nameOffset: Uint32Array;
}

/** A parsed kallsyms (see the module doc for the rules). */
export class KallsymsTable {
  #c: Columns;
  #byName: Map<string, number> | null = null;
  /** Every address is zero: kptr_restrict hides them from this process. */
  readonly hidden: boolean;
  /** Bytes of the file the table was parsed from. */
  readonly bytes: number;

  /** Parses kallsyms bytes; the table keeps none of them (a reused buffer may be passed). */
  constructor(raw: Uint8Array) {
    this.#c = parseColumns(raw);
    this.bytes = raw.length;
    const n = this.#c.hi.length;
    this.hidden = n > 0 && this.#c.hi[n - 1] === 0 && this.#c.lo[n - 1] === 0;
  }

  /** Number of symbols. */
  get size(): number {
    return this.#c.hi.length;
  }

  /** Bytes the table holds (its typed arrays). */
  get retainedBytes(): number {
    const { hi, lo, names, nameOffset } = this.#c;
    return hi.byteLength + lo.byteLength + names.byteLength + nameOffset.byteLength;
  }

  /** The name of entry `i` (entries are sorted by address). */
  nameAt(i: number): string {
    const { names, nameOffset } = this.#c;
    return lenientText(names.subarray(nameOffset[i]!, nameOffset[i + 1]!));
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

/** Lines of `raw` (an upper bound on its symbols). */
function countLines(raw: Uint8Array): number {
  let lines = 1;
  for (let i = raw.indexOf(NL); i >= 0; i = raw.indexOf(NL, i + 1)) lines++;
  return lines;
}

function parseColumns(raw: Uint8Array): Columns {
  const cap = countLines(raw);
  const hi = new Uint32Array(cap);
  const lo = new Uint32Array(cap);
  const nameStarts = new Uint32Array(cap);
  const nameEnds = new Uint32Array(cap);
  let count = 0;
  const n = raw.length;
  let pos = 0;
  // Only the address is parsed byte by byte; line ends and field separators are found with
  // indexOf (native), which made start-up's parse of ~5 MB several times faster.
  while (pos < n) {
    let end = raw.indexOf(NL, pos);
    if (end < 0) end = n;
    let i = pos;
    let h = 0;
    let l = 0;
    for (; i < end; i++) {
      const v = HEX[raw[i]!]!;
      if (v < 0) break;
      h = ((h << 4) | (l >>> 28)) >>> 0;
      l = ((l << 4) | v) >>> 0;
    }
    const digits = i - pos;
    if (digits > 0 && digits <= 16 && raw[i] === SPACE) {
      const s2 = raw.indexOf(SPACE, i + 1); // after the type
      if (s2 >= 0 && s2 < end) {
        const s3 = raw.indexOf(SPACE, s2 + 1); // after the name, if anything follows
        hi[count] = h;
        lo[count] = l;
        nameStarts[count] = s2 + 1;
        nameEnds[count] = s3 >= 0 && s3 < end ? s3 : end;
        count++;
      }
    }
    pos = end + 1;
  }
  return compact(raw, hi, lo, nameStarts, nameEnds, count);
}

/**
 * The first `count` parsed rows in address order (stable: equal addresses keep file order), in
 * exactly sized arrays, names copied out of `raw`.
 */
function compact(
  raw: Uint8Array,
  hi: Uint32Array,
  lo: Uint32Array,
  nameStarts: Uint32Array,
  nameEnds: Uint32Array,
  count: number,
): Columns {
  const order = sortedOrder(hi, lo, count);
  let total = 0;
  for (let k = 0; k < count; k++) total += nameEnds[k]! - nameStarts[k]!;
  const outHi = new Uint32Array(count);
  const outLo = new Uint32Array(count);
  const names = new Uint8Array(total);
  const nameOffset = new Uint32Array(count + 1);
  let at = 0;
  for (let k = 0; k < count; k++) {
    const r = order === null ? k : order[k]!;
    outHi[k] = hi[r]!;
    outLo[k] = lo[r]!;
    nameOffset[k] = at;
    // A byte loop: a view per name for TypedArray#set, or copyWithin, measured slower.
    for (let j = nameStarts[r]!, e = nameEnds[r]!; j < e; j++) names[at++] = raw[j]!;
  }
  nameOffset[count] = at;
  return { hi: outHi, lo: outLo, names, nameOffset };
}

/**
 * Row indexes in address order, stable; `null` when the rows already are. A natural merge
 * sort: a real kallsyms is a few sorted runs (the kernel's symbols, then each module's), so
 * merging them costs about one pass, where a comparison sort of 120k rows took ~30 ms.
 */
export function sortedOrder(hi: Uint32Array, lo: Uint32Array, count: number): Uint32Array | null {
  let bounds = [0];
  for (let k = 1; k < count; k++) {
    if (hi[k]! < hi[k - 1]! || (hi[k] === hi[k - 1] && lo[k]! < lo[k - 1]!)) bounds.push(k);
  }
  if (bounds.length === 1) return null;
  bounds.push(count);
  let from = new Uint32Array(count);
  for (let k = 0; k < count; k++) from[k] = k;
  let to = new Uint32Array(count);
  while (bounds.length > 2) {
    const merged = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const s = bounds[r]!, m = bounds[r + 1]!;
      const e = r + 2 < bounds.length ? bounds[r + 2]! : m;
      mergeRuns(hi, lo, from, to, s, m, e);
      merged.push(e);
    }
    [from, to] = [to, from];
    bounds = merged;
  }
  return from;
}

/** Merges the sorted runs from[s..m) and from[m..e) into to[s..e); ties take the left run. */
function mergeRuns(
  hi: Uint32Array,
  lo: Uint32Array,
  from: Uint32Array,
  to: Uint32Array,
  s: number,
  m: number,
  e: number,
): void {
  let a = s, b = m, o = s;
  while (a < m && b < e) {
    const x = from[a]!, y = from[b]!;
    const yFirst = hi[y]! < hi[x]! || (hi[y] === hi[x] && lo[y]! < lo[x]!);
    to[o++] = yFirst ? y : x;
    if (yFirst) b++;
    else a++;
  }
  while (a < m) to[o++] = from[a++]!;
  while (b < e) to[o++] = from[b++]!;
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
        return new KallsymsTable(raw);
      },
      reload(current) {
        // A failed re-read keeps the old table (upstream panics here).
        const raw = read();
        if (raw === null) return null;
        return { table: new KallsymsTable(raw), changed: raw.length !== current.bytes };
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
