/**
 * What the exporter reads a metric's map through. The kernel implementation is libbpf's
 * `BpfMap` itself (it has this shape); `recordedMap` replays committed map contents, so the
 * whole pipeline after the read runs without a kernel (tests/e2e_test.ts).
 */

import type { MapEntries } from "../../ffi/libbpf.ts";

/** What defines a map, as libbpf reports it. */
export interface MapDefinition {
  readonly name: string;
  /** The map type (enum bpf_map_type). */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Whether each entry holds one value slot per possible CPU. */
  readonly perCpu: boolean;
}

/** A metric map as the read stage sees it. */
export interface MapSource extends MapDefinition {
  /** Every entry; the buffers may be reused by the next call. */
  readAll(): MapEntries;
  /**
   * Every entry, read in bounded steps with `await pause()` between them (libbpf maps); a
   * source without it is read whole by `readAll`.
   */
  readAllSliced?(pause: () => Promise<void>): Promise<MapEntries>;
}
