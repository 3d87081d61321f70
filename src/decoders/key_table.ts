/**
 * An open-addressing hash table keyed by fixed-size raw byte keys. A scrape looks up every map
 * key once: hashing the bytes in place and comparing them against a flat arena costs no
 * allocation, where a `Map` needs a string made from each key first.
 */

const EMPTY = -1;
const MIN_SLOTS = 16;

/** Maps raw keys of one fixed length to values; keys of another length are never stored. */
export class ByteKeyTable<V> {
  readonly keySize: number;
  readonly maxEntries: number;
  #slots: Int32Array = new Int32Array(MIN_SLOTS).fill(EMPTY);
  #mask = MIN_SLOTS - 1;
  #arena: Uint8Array;
  #hashes: Int32Array;
  #values: Array<V | undefined> = [];
  #free: number[] = [];
  #count = 0;
  #used = 0;

  constructor(keySize: number, maxEntries: number) {
    this.keySize = keySize;
    this.maxEntries = Math.max(0, Math.floor(maxEntries));
    const initial = Math.min(this.maxEntries, 64);
    this.#arena = new Uint8Array(initial * keySize);
    this.#hashes = new Int32Array(initial);
  }

  /** Number of keys held. */
  get size(): number {
    return this.#count;
  }

  /** The value stored for `key`, or undefined. */
  get(key: Uint8Array): V | undefined {
    return this.getAt(key, 0, key.length);
  }

  /** The value stored for the key at `buf[offset .. offset + length)`, or undefined. */
  getAt(buf: Uint8Array, offset: number, length: number): V | undefined {
    if (length !== this.keySize) return undefined;
    const e = this.#find(buf, offset, hashBytes(buf, offset, length));
    return e === EMPTY ? undefined : this.#values[e];
  }

  /** Stores `value` under `key`; false when the table is full or the key has another length. */
  set(key: Uint8Array, value: V): boolean {
    if (key.length !== this.keySize) return false;
    const h = hashBytes(key, 0, key.length);
    const found = this.#find(key, 0, h);
    if (found !== EMPTY) {
      this.#values[found] = value;
      return true;
    }
    if (this.#count >= this.maxEntries) return false;
    if ((this.#count + 1) * 4 > this.#slots.length * 3) this.#resize(this.#slots.length * 2);
    const e = this.#allocate();
    this.#arena.set(key, e * this.keySize);
    this.#hashes[e] = h;
    this.#values[e] = value;
    let s = h & this.#mask;
    while (this.#slots[s] !== EMPTY) s = (s + 1) & this.#mask;
    this.#slots[s] = e;
    this.#count++;
    return true;
  }

  /** Removes every entry for which `drop` returns true. */
  sweep(drop: (value: V) => boolean): void {
    const slots = this.#slots;
    // Backward-shift deletion keeps probe chains intact without tombstones; a slot that
    // receives a shifted entry is examined again.
    for (let s = 0; s < slots.length;) {
      const e = slots[s] as number;
      if (e !== EMPTY && drop(this.#values[e] as V)) {
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
    for (const e of this.#slots) if (e !== EMPTY) fn(this.#values[e] as V);
  }

  #find(key: Uint8Array, offset: number, h: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    const arena = this.#arena;
    const ks = this.keySize;
    for (let s = h & mask;; s = (s + 1) & mask) {
      const e = slots[s] as number;
      if (e === EMPTY) return EMPTY;
      if (this.#hashes[e] !== h) continue;
      const base = e * ks;
      let i = 0;
      while (i < ks && arena[base + i] === key[offset + i]) i++;
      if (i === ks) return e;
    }
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const e = this.#used++;
    if (e >= this.#hashes.length) {
      const n = Math.min(this.maxEntries, Math.max(64, this.#hashes.length * 2));
      const arena = new Uint8Array(n * this.keySize);
      arena.set(this.#arena);
      this.#arena = arena;
      const hashes = new Int32Array(n);
      hashes.set(this.#hashes);
      this.#hashes = hashes;
    }
    return e;
  }

  #removeAt(hole: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let s = hole;
    for (;;) {
      s = (s + 1) & mask;
      const e = slots[s] as number;
      if (e === EMPTY) break;
      const home = (this.#hashes[e] as number) & mask;
      // Move e into the hole unless its home lies cyclically in (hole, s].
      const stays = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (!stays) {
        slots[hole] = e;
        hole = s;
      }
    }
    slots[hole] = EMPTY;
  }

  #resize(n: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(n).fill(EMPTY);
    this.#mask = n - 1;
    for (const e of old) {
      if (e === EMPTY) continue;
      let s = (this.#hashes[e] as number) & this.#mask;
      while (this.#slots[s] !== EMPTY) s = (s + 1) & this.#mask;
      this.#slots[s] = e;
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
