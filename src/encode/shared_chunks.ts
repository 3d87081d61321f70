/**
 * One lazily encoded exposition read by several responses (coalesced scrapes). The source is
 * pulled by whichever reader is ahead; a chunk is kept only until every reader has passed it,
 * so memory is bounded by the gap between the fastest and the slowest reader, and a reader that
 * leaves early (`return()`, a cancelled response) stops holding anything.
 */

import type { ChunkHolds } from "./slab_pool.ts";

type Chunk = Uint8Array<ArrayBuffer>;

/** A chunk source shared by readers registered before (or after) it is known. */
export class SharedChunks {
  #source: Iterator<Chunk> | null = null;
  #kept: Chunk[] = [];
  // Index (in the whole stream) of #kept[0].
  #base = 0;
  #done = false;
  readonly #readers = new Set<ChunkReader>();
  readonly #holds: ChunkHolds | null;

  /**
   * With `holds`, each kept chunk holds its slab, and each chunk a reader hands out holds it
   * until whoever sends it gives the hold back (`holds.release`, see SlabPool).
   */
  constructor(holds: ChunkHolds | null = null) {
    this.#holds = holds;
  }

  /** Takes a hold for a chunk a reader hands out. */
  handOut(chunk: Chunk): void {
    this.#holds?.hold(chunk);
  }

  /** Sets the encoded stream; readers may exist already, none may have read yet. */
  setSource(source: Iterator<Chunk>): void {
    this.#source = source;
  }

  /** A new reader from the first chunk; register readers before any reader starts reading. */
  reader(): ChunkReader {
    if (this.#base > 0) throw new Error("Cannot add a reader: the first chunks are released");
    const r = new ChunkReader(this);
    this.#readers.add(r);
    return r;
  }

  /** How many chunks are held for readers that have not read them yet. */
  get keptChunks(): number {
    return this.#kept.length;
  }

  /** How many readers are still reading. */
  get readers(): number {
    return this.#readers.size;
  }

  /** The chunk at stream index `i`, pulling the source when `i` is the next new one. */
  chunkAt(i: number): Chunk | null {
    const local = i - this.#base;
    if (local < this.#kept.length) return this.#kept[local] as Chunk;
    if (this.#done) return null;
    if (this.#source === null) throw new Error("Cannot read a scrape before it is encoded");
    const next = this.#source.next();
    if (next.done) {
      this.#done = true;
      this.#source = null;
      return null;
    }
    this.#kept.push(next.value);
    this.#holds?.hold(next.value);
    return next.value;
  }

  /** Drops the chunks every reader has passed. */
  release(): void {
    let min = Infinity;
    for (const r of this.#readers) min = Math.min(min, r.position);
    if (min === Infinity) {
      this.#base += this.#kept.length;
      this.#drop(this.#kept);
      this.#kept = [];
      // No reader left: the rest of the stream is never needed.
      this.#source?.return?.();
      this.#source = null;
      this.#done = true;
      return;
    }
    const drop = min - this.#base;
    if (drop > 0) {
      this.#drop(this.#kept.splice(0, drop));
      this.#base = min;
    }
  }

  #drop(chunks: Chunk[]): void {
    const holds = this.#holds;
    if (holds !== null) { for (const c of chunks) holds.release(c); }
  }

  /** Forgets a reader that finished or left. */
  leave(r: ChunkReader): void {
    this.#readers.delete(r);
    this.release();
  }
}

/** One response's view of a shared exposition; iterate it like the writer's generator. */
export class ChunkReader implements IterableIterator<Chunk> {
  #shared: SharedChunks | null;
  #position = 0;

  constructor(shared: SharedChunks) {
    this.#shared = shared;
  }

  /** Index of the next chunk this reader reads. */
  get position(): number {
    return this.#position;
  }

  /** The next chunk, or done once the stream ends or the reader left. */
  next(): IteratorResult<Chunk, undefined> {
    const shared = this.#shared;
    if (shared === null) return { done: true, value: undefined };
    const chunk = shared.chunkAt(this.#position);
    if (chunk === null) return this.return();
    this.#position++;
    // Taken before the shared stream may drop its own hold on the chunk.
    shared.handOut(chunk);
    shared.release();
    return { done: false, value: chunk };
  }

  /** Leaves the shared stream: its chunks are no longer kept for this reader. */
  return(): IteratorResult<Chunk, undefined> {
    const shared = this.#shared;
    this.#shared = null;
    shared?.leave(this);
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): ChunkReader {
    return this;
  }
}
