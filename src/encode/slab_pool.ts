/**
 * Output slabs reused across scrapes. A big scrape writes tens of MiB of text into 1 MiB slabs
 * that used to become garbage as soon as the client had them: external memory that V8 frees
 * only at its next GC, which raised RSS and the soak's growth. A slab goes back to a short free
 * list once nothing can read its bytes any more; only then may a writer overwrite it.
 *
 * Ownership is a count of holds per slab, and every hold is taken and given back by one owner:
 * - the writer, while it writes into the slab (taken by `acquire`, given back by `release`);
 * - a shared exposition (SharedChunks), per chunk it keeps for readers that have not read it;
 * - a reader, per chunk it handed to the HTTP layer, given back once node:http reports the
 *   chunk written to the socket.
 * A hold that is never given back (a cancelled response, a gzip stream, an in-process reader)
 * keeps its slab out of the pool: it is then garbage collected like any buffer. A view of a
 * buffer the pool did not make is ignored, so callers need not tell pooled chunks apart.
 */

/** Takes and gives back holds on the slab under a chunk (see SlabPool). */
export interface ChunkHolds {
  /** Adds a hold on the slab `chunk` is a view of. */
  hold(chunk: Uint8Array): void;
  /** Gives back a hold; the slab is free for reuse once no hold is left. */
  release(chunk: Uint8Array): void;
}

/** Default size of one pooled slab: the ByteWriter's largest slab. */
export const SLAB_BYTES = 1024 * 1024;
/** Default number of free slabs kept between scrapes. */
export const MAX_FREE_SLABS = 4;

/** A free list of equal-sized slabs with a hold count for each slab in use. */
export class SlabPool implements ChunkHolds {
  readonly slabBytes: number;
  readonly maxFree: number;
  #free: ArrayBuffer[] = [];
  // Weak, so a slab whose holds are never all given back is still collected.
  #holds = new WeakMap<ArrayBuffer, number>();
  /** Slabs made and slabs handed out again from the free list (for tests and the bench). */
  readonly stats = { made: 0, reused: 0 };

  constructor(slabBytes = SLAB_BYTES, maxFree = MAX_FREE_SLABS) {
    this.slabBytes = slabBytes;
    this.maxFree = maxFree;
  }

  /** Free slabs kept now. */
  get free(): number {
    return this.#free.length;
  }

  /** A slab of `slabBytes` for a writer, holding one hold (the writer's). */
  acquire(): Uint8Array<ArrayBuffer> {
    let buf = this.#free.pop();
    if (buf === undefined) {
      buf = new ArrayBuffer(this.slabBytes);
      this.stats.made++;
    } else {
      this.stats.reused++;
    }
    this.#holds.set(buf, 1);
    return new Uint8Array(buf);
  }

  /** Holds left on the slab under `chunk` (0 for a free slab or a buffer not from the pool). */
  holds(chunk: Uint8Array): number {
    return this.#holds.get(chunk.buffer as ArrayBuffer) ?? 0;
  }

  hold(chunk: Uint8Array): void {
    const buf = chunk.buffer as ArrayBuffer;
    const n = this.#holds.get(buf);
    if (n !== undefined) this.#holds.set(buf, n + 1);
  }

  release(chunk: Uint8Array): void {
    const buf = chunk.buffer as ArrayBuffer;
    const n = this.#holds.get(buf);
    if (n === undefined) return;
    if (n > 1) return void this.#holds.set(buf, n - 1);
    // The last hold: nobody reads these bytes any more.
    this.#holds.delete(buf);
    if (this.#free.length < this.maxFree) this.#free.push(buf);
  }
}
