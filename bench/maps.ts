/**
 * The bench maps, created in this process and pinned by name (bench.bpf.c asks libbpf for
 * LIBBPF_PIN_BY_NAME), so the exporter under test and the C floor open the same kernel maps.
 * Filling is deterministic: entry i of the counter map is key {id: i >> 3, op: i & 7}.
 */

import { type BpfMap, BpfObject } from "../ffi/libbpf.ts";

export const OPS_MAP = "bench_ops_total";
export const LATENCY_MAP = "bench_latency_seconds";
/** Keys per histogram series: exp2 buckets 0..15 plus the sum slot (bench_hist.yaml). */
export const KEYS_PER_HISTOGRAM = 17;

/** The loaded bench object and its two pinned maps. */
export class BenchMaps {
  readonly object: BpfObject;
  readonly ops: BpfMap;
  readonly latency: BpfMap;
  #opsFilled = 0;
  #latencyFilled = 0;

  private constructor(object: BpfObject, ops: BpfMap, latency: BpfMap) {
    this.object = object;
    this.ops = ops;
    this.latency = latency;
  }

  /** Opens and loads the object, first removing pins a crashed run may have left. */
  static create(objectPath: string): BenchMaps {
    const object = BpfObject.openFile(objectPath);
    try {
      const ops = object.map(OPS_MAP);
      const latency = object.map(LATENCY_MAP);
      if (ops === null || latency === null) {
        throw new Error(
          `Cannot use "${objectPath}": maps "${OPS_MAP}" and "${LATENCY_MAP}" needed`,
        );
      }
      ops.unpin();
      latency.unpin();
      object.load();
      return new BenchMaps(object, ops, latency);
    } catch (e) {
      object.close();
      throw e;
    }
  }

  /** Pin path of a map (where the floor opens it). */
  pinPath(map: BpfMap): string {
    const p = map.pinPath;
    if (p === null) throw new Error(`Map "${map.name}" is not pinned`);
    return p;
  }

  /** Grows the counter map to `total` entries (entries already there are kept). */
  fillOps(total: number): void {
    const from = this.#opsFilled;
    if (total <= from) return;
    const n = total - from;
    const keys = new Uint32Array(n * 2);
    const values = new BigUint64Array(n);
    for (let j = 0; j < n; j++) {
      const i = from + j;
      keys[2 * j] = i >>> 3;
      keys[2 * j + 1] = i & 7;
      // Spread values across Go's plain (< 1e6) and exponent number forms.
      values[j] = BigInt((Math.imul(i, 2654435761) >>> 0) % 3_000_000 + 1);
    }
    this.ops.updateBatch(bytes(keys), bytes(values), n);
    this.#opsFilled = total;
  }

  /** Grows the histogram map to whole series covering about `totalKeys` keys; returns series. */
  fillLatency(totalKeys: number): number {
    const series = Math.floor(totalKeys / KEYS_PER_HISTOGRAM);
    const from = this.#latencyFilled;
    if (series <= from) return from;
    const n = (series - from) * KEYS_PER_HISTOGRAM;
    const keys = new Uint32Array(n * 2);
    const values = new BigUint64Array(n);
    let j = 0;
    for (let s = from; s < series; s++) {
      let sum = 0;
      for (let b = 0; b < KEYS_PER_HISTOGRAM; b++, j++) {
        keys[2 * j] = s;
        keys[2 * j + 1] = b;
        const count = b < KEYS_PER_HISTOGRAM - 1 ? (s * 31 + b * 7) % 50 : sum;
        if (b < KEYS_PER_HISTOGRAM - 1) sum += count * 2 ** b;
        values[j] = BigInt(count);
      }
    }
    this.latency.updateBatch(bytes(keys), bytes(values), n);
    this.#latencyFilled = series;
    return series;
  }

  /** Entries in the counter map. */
  get opsCount(): number {
    return this.#opsFilled;
  }

  /** Removes the pins and closes the object (the maps go once no process holds them). */
  close(): void {
    if (this.object.closed) return;
    for (const m of [this.ops, this.latency]) {
      try {
        m.unpin();
      } catch (e) {
        console.error(`Cannot remove the pin of map "${m.name}": ${(e as Error).message}`);
      }
    }
    this.object.close();
  }
}

function bytes(a: Uint32Array | BigUint64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
