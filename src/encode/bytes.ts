/**
 * A growable byte buffer the text encoder writes into. Writing UTF-8 straight into bytes skips
 * building one long string per chunk and encoding it again, which cost more than the rest of a
 * scrape together.
 */

import { formatFloat } from "./float.ts";
import type { SlabPool } from "./slab_pool.ts";

const utf8Encoder = new TextEncoder();

/**
 * Appends ASCII, UTF-8 text and numbers to a byte buffer, handing it out in chunks. Chunks are
 * views into slabs of up to 1 MiB: many 64 KiB chunks per allocation, because every new
 * ArrayBuffer counts as external memory and enough of them force a young-generation GC, which
 * cost more than writing the chunks.
 */
export class ByteWriter {
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  /** Start of the bytes not yet handed out. */
  #start = 0;
  #pos = 0;
  #slab: number;
  readonly #maxSlab: number;
  readonly #pool: SlabPool | null;

  /**
   * Slabs start at `firstSlab` bytes and double up to `maxSlab`, so small outputs stay small.
   * With a `pool`, slabs of the pool's size come from it and are given back as the writer
   * leaves them (see SlabPool for who else holds them).
   */
  constructor(firstSlab = 64 * 1024, maxSlab = 1024 * 1024, pool: SlabPool | null = null) {
    this.#slab = Math.max(16, firstSlab);
    this.#maxSlab = Math.max(this.#slab, maxSlab);
    this.#pool = pool;
  }

  /** Bytes written since the last `take()`. */
  get length(): number {
    return this.#pos - this.#start;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    // Chunks already handed out keep the old slab alive; only the pending bytes move.
    const pending = this.#pos - this.#start;
    const size = Math.max(this.#slab, 2 * (pending + n));
    const pool = this.#pool;
    const pooled = pool !== null && this.#slab >= pool.slabBytes && size <= pool.slabBytes;
    this.#slab = Math.min(this.#maxSlab, this.#slab * 2);
    const next = pooled ? pool.acquire() : new Uint8Array(size);
    next.set(this.#buf.subarray(this.#start, this.#pos));
    pool?.release(this.#buf);
    this.#buf = next;
    this.#start = 0;
    this.#pos = pending;
  }

  /** Writes a string whose chars are all below 256, one byte each (see `utf8Bytes`). */
  bytes(s: string): void {
    const n = s.length;
    this.#ensure(n);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.#pos = p;
  }

  /** Writes a string as UTF-8. */
  text(s: string): void {
    const n = s.length;
    this.#ensure(n);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#pos = p;
        this.#utf8Tail(s.slice(i));
        return;
      }
      buf[p++] = c;
    }
    this.#pos = p;
  }

  #utf8Tail(s: string): void {
    // At most 3 bytes per UTF-16 unit.
    this.#ensure(s.length * 3);
    this.#pos += utf8Encoder.encodeInto(s, this.#buf.subarray(this.#pos)).written;
  }

  /** Writes `src[from .. to)`. */
  range(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.#ensure(n);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = from; i < to; i++) buf[p++] = src[i] as number;
    this.#pos = p;
  }

  /**
   * Writes one sample line: its prefix `src[from .. to)` (name and labels, UTF-8), a space, `v`
   * and a newline, with one capacity check.
   */
  line(src: Uint8Array, from: number, to: number, v: number): void {
    // 24 bytes hold any float64 as formatFloat spells it, plus the space and newline.
    this.#ensure(to - from + 26);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = from; i < to; i++) buf[p++] = src[i] as number;
    buf[p++] = 0x20;
    p = writeNumber(buf, p, v);
    buf[p++] = 0x0a;
    this.#pos = p;
  }

  /**
   * Writes `n` sample lines whose prefixes lie one after another in `src`, the first from
   * `from`, line i's ending at `ends[line + i]`, with values `values[at + i]`: one capacity
   * check for all of them (a histogram series' bucket lines). Returns where the last one ended.
   */
  lines(
    src: Uint8Array,
    from: number,
    ends: Int32Array,
    line: number,
    n: number,
    values: Float64Array,
    at: number,
  ): number {
    if (n === 0) return from;
    this.#ensure((ends[line + n - 1] as number) - from + 26 * n);
    const buf = this.#buf;
    let p = this.#pos;
    let start = from;
    for (let k = 0; k < n; k++) {
      const end = ends[line + k] as number;
      for (let i = start; i < end; i++) buf[p++] = src[i] as number;
      buf[p++] = 0x20;
      p = writeNumber(buf, p, values[at + k] as number);
      buf[p++] = 0x0a;
      start = end;
    }
    this.#pos = p;
    return start;
  }

  /** Writes a space, a sample value as the Go text format spells it, and a newline. */
  value(v: number): void {
    this.#ensure(26);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 0x20;
    p = writeNumber(buf, p, v);
    buf[p++] = 0x0a;
    this.#pos = p;
  }

  /** Writes one byte. */
  byte(b: number): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = b;
  }

  /**
   * Gives the current slab back to the pool (if it came from one); pending bytes are dropped.
   * Call once the last chunk was taken.
   */
  finish(): void {
    this.#pool?.release(this.#buf);
    this.#buf = new Uint8Array(0);
    this.#start = 0;
    this.#pos = 0;
  }

  /** Hands out what was written since the last call (a view the writer never touches again). */
  take(): Uint8Array<ArrayBuffer> {
    const out = this.#buf.subarray(this.#start, this.#pos);
    this.#start = this.#pos;
    return out;
  }
}

// Digits of the integer being written, least significant first.
const digitScratch = new Uint8Array(16);

/** Writes `v` at `buf[p]` as formatFloat spells it (at most 24 bytes); returns the end. */
function writeNumber(buf: Uint8Array, p: number, v: number): number {
  if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return writeCount(buf, p, v);
  const f = formatFloat(v);
  for (let i = 0; i < f.length; i++) buf[p++] = f.charCodeAt(i);
  return p;
}

/**
 * Writes a safe non-negative integer at `buf[p]` as formatFloat spells it, without making a
 * string: plain below 1e6, else Go's shortest exponent form (`1.234567e+06`, `5e+07`).
 * Returns the position after it.
 */
function writeCount(buf: Uint8Array, p: number, v: number): number {
  if (v < 10) {
    buf[p] = 0x30 + v;
    return p + 1;
  }
  let n = 0;
  for (let t = v; t > 0;) {
    const q = Math.floor(t / 10);
    digitScratch[n++] = t - q * 10;
    t = q;
  }
  if (v < 1e6) {
    for (let i = n - 1; i >= 0; i--) buf[p++] = 0x30 + (digitScratch[i] as number);
    return p;
  }
  // Every safe integer is exact, so its shortest digits are its digits without trailing zeros.
  let low = 0;
  while (digitScratch[low] === 0) low++;
  buf[p++] = 0x30 + (digitScratch[n - 1] as number);
  if (low < n - 1) {
    buf[p++] = 0x2e;
    for (let i = n - 2; i >= low; i--) buf[p++] = 0x30 + (digitScratch[i] as number);
  }
  const exp = n - 1;
  buf[p++] = 0x65;
  buf[p++] = 0x2b;
  if (exp >= 10) buf[p++] = 0x30 + Math.floor(exp / 10);
  else buf[p++] = 0x30;
  buf[p++] = 0x30 + exp % 10;
  return p;
}

/** The UTF-8 bytes of `s` as a string of one char per byte (`s` itself when it is ASCII). */
export function utf8Bytes(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      const b = utf8Encoder.encode(s);
      let out = "";
      for (let j = 0; j < b.length; j++) out += String.fromCharCode(b[j] as number);
      return out;
    }
  }
  return s;
}
