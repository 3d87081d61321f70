/**
 * An open-addressing hash table keyed by fixed-size raw byte keys. A scrape looks up every map
 * key once: hashing the bytes in place and comparing them against a flat arena costs no
 * allocation, where a `Map` needs a string made from each key first. On large maps the lookups
 * are bound by cache misses, so each slot holds its entry's hash next to the entry number, and
 * entries carry a stamp in a flat array rather than in an object.
 */

const EMPTY = -1;
const MIN_SLOTS = 16;
/** Returned by `find` for a key that is not held. */
export const MISSING = -1;

/** Maps raw keys of one fixed length to values; keys of another length are never stored. */
export class ByteKeyTable<V> {
  readonly keySize: number;
  readonly maxEntries: number;
  /** Pairs of (entry number or EMPTY, hash). */
  #slots: Int32Array = new Int32Array(2 * MIN_SLOTS).fill(EMPTY);
  #mask = MIN_SLOTS - 1;
  #arena: Uint8Array;
  #stamps: Int32Array;
  #values: Array<V | undefined> = [];
  #free: number[] = [];
  #count = 0;
  #used = 0;

  constructor(keySize: number, maxEntries: number) {
    this.keySize = keySize;
    this.maxEntries = Math.max(0, Math.floor(maxEntries));
    const initial = Math.min(this.maxEntries, 64);
    this.#arena = new Uint8Array(initial * keySize);
    this.#stamps = new Int32Array(initial);
  }

  /** Number of keys held. */
  get size(): number {
    return this.#count;
  }

  /** The value stored for `key`, or undefined. */
  get(key: Uint8Array): V | undefined {
    const e = this.find(key, 0, key.length);
    return e === MISSING ? undefined : this.#values[e];
  }

  /** The entry number of the key at `buf[offset .. offset + length)`, or MISSING. */
  find(buf: Uint8Array, offset: number, length: number): number {
    if (length !== this.keySize) return MISSING;
    const h = hashBytes(buf, offset, length);
    const slots = this.#slots;
    const mask = this.#mask;
    const arena = this.#arena;
    for (let s = h & mask;; s = (s + 1) & mask) {
      const e = slots[2 * s] as number;
      if (e === EMPTY) return MISSING;
      if (slots[2 * s + 1] !== h) continue;
      const base = e * length;
      let i = 0;
      while (i < length && arena[base + i] === buf[offset + i]) i++;
      if (i === length) return e;
    }
  }

  /** The value of entry `e` (from `find`). */
  value(e: number): V {
    return this.#values[e] as V;
  }

  /** The stamp of entry `e`. */
  stamp(e: number): number {
    return this.#stamps[e] as number;
  }

  /** Sets the stamp of entry `e`. */
  setStamp(e: number, stamp: number): void {
    this.#stamps[e] = stamp;
  }

  /** Stores `value` under `key`; false when the table is full or the key has another length. */
  set(key: Uint8Array, value: V, stamp = 0): boolean {
    if (key.length !== this.keySize) return false;
    const found = this.find(key, 0, key.length);
    if (found !== MISSING) {
      this.#values[found] = value;
      this.#stamps[found] = stamp;
      return true;
    }
    if (this.#count >= this.maxEntries) return false;
    if ((this.#count + 1) * 4 > (this.#mask + 1) * 3) this.#resize(2 * (this.#mask + 1));
    const h = hashBytes(key, 0, key.length);
    const e = this.#allocate();
    this.#arena.set(key, e * this.keySize);
    this.#stamps[e] = stamp;
    this.#values[e] = value;
    this.#place(e, h);
    this.#count++;
    return true;
  }

  /** Removes every entry for which `drop` returns true. */
  sweep(drop: (value: V, stamp: number) => boolean): void {
    const slots = this.#slots;
    // Backward-shift deletion keeps probe chains intact without tombstones; a slot that
    // receives a shifted entry is examined again.
    for (let s = 0; s <= this.#mask;) {
      const e = slots[2 * s] as number;
      if (e !== EMPTY && drop(this.#values[e] as V, this.#stamps[e] as number)) {
        this.#removeAt(s);
        this.#values[e] = undefined;
        this.#free.push(e);
        this.#count--;
      } else {
        s++;
      }
    }
  }

  /** Calls `fn` for every stored value. */
  forEach(fn: (value: V) => void): void {
    for (let s = 0; s <= this.#mask; s++) {
      const e = this.#slots[2 * s] as number;
      if (e !== EMPTY) fn(this.#values[e] as V);
    }
  }

  #place(e: number, h: number): void {
    const slots = this.#slots;
    let s = h & this.#mask;
    while (slots[2 * s] !== EMPTY) s = (s + 1) & this.#mask;
    slots[2 * s] = e;
    slots[2 * s + 1] = h;
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const e = this.#used++;
    if (e >= this.#stamps.length) {
      const n = Math.min(this.maxEntries, Math.max(64, this.#stamps.length * 2));
      const arena = new Uint8Array(n * this.keySize);
      arena.set(this.#arena);
      this.#arena = arena;
      const stamps = new Int32Array(n);
      stamps.set(this.#stamps);
      this.#stamps = stamps;
    }
    return e;
  }

  #removeAt(hole: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let s = hole;
    for (;;) {
      s = (s + 1) & mask;
      const e = slots[2 * s] as number;
      if (e === EMPTY) break;
      const home = (slots[2 * s + 1] as number) & mask;
      // Move e into the hole unless its home lies cyclically in (hole, s].
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (!stays) {
        slots[2 * hole] = e;
        slots[2 * hole + 1] = slots[2 * s + 1] as number;
        hole = s;
      }
    }
    slots[2 * hole] = EMPTY;
  }

  #resize(n: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(2 * n).fill(EMPTY);
    this.#mask = n - 1;
    for (let s = 0; s < old.length; s += 2) {
      const e = old[s] as number;
      if (e !== EMPTY) this.#place(e, old[s + 1] as number);
    }
  }
}

/** FNV-1a over `length` bytes from `offset`, then a mix so that low bits depend on every byte. */
export function hashBytes(buf: Uint8Array, offset = 0, length = buf.length - offset): number {
  let h = 0x811c9dc5 | 0;
  const end = offset + length;
  for (let i = offset; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}
