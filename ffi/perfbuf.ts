/**
 * Perf event array reader. Polling with a zero timeout from a timer keeps the event loop free;
 * libbpf then calls back synchronously on this thread, so plain callbacks are safe.
 */

import { bpf } from "./library.ts";
import { type BpfMap, LibbpfError, MapType } from "./libbpf.ts";
import { libbpfStrerror } from "./library.ts";
import { EINVAL } from "./errno.ts";

const SAMPLE_DEF = { parameters: ["pointer", "i32", "pointer", "u32"], result: "void" } as const;
const LOST_DEF = { parameters: ["pointer", "i32", "u64"], result: "void" } as const;

/** Reads records a BPF program wrote with bpf_perf_event_output. */
export class PerfBuffer {
  #ptr: Deno.PointerObject | null;
  #sample: Deno.UnsafeCallback<typeof SAMPLE_DEF>;
  #lost: Deno.UnsafeCallback<typeof LOST_DEF>;

  /** Opens per-CPU ring pages for a PERF_EVENT_ARRAY map. `data` is only valid during the call. */
  constructor(
    map: BpfMap,
    pagesPerCpu: number,
    onSample: (cpu: number, data: Uint8Array) => void,
    onLost: (cpu: number, count: number) => void,
  ) {
    if (map.type !== MapType.PERF_EVENT_ARRAY) {
      throw new LibbpfError(`Cannot read map "${map.name}" as a perf event array`, EINVAL);
    }
    this.#sample = new Deno.UnsafeCallback(SAMPLE_DEF, (_ctx, cpu, data, size) => {
      if (data === null) return;
      onSample(cpu, new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(data, size)));
    });
    this.#lost = new Deno.UnsafeCallback(LOST_DEF, (_ctx, cpu, count) => {
      onLost(cpu, Number(count));
    });
    const ptr = bpf().perf_buffer__new(
      map.fd,
      BigInt(pagesPerCpu),
      this.#sample.pointer,
      this.#lost.pointer,
      null,
      null,
    );
    const err = Number(bpf().libbpf_get_error(ptr));
    if (ptr === null || err !== 0) {
      this.#sample.close();
      this.#lost.close();
      throw new LibbpfError(
        `Cannot open perf buffer for map "${map.name}": ${libbpfStrerror(err || -EINVAL)}`,
        err || -EINVAL,
      );
    }
    this.#ptr = ptr;
  }

  /** Consumes whatever is ready without waiting; returns the number of records handled. */
  poll(): number {
    if (this.#ptr === null) return 0;
    const r = bpf().perf_buffer__poll(this.#ptr, 0);
    return r < 0 ? 0 : r;
  }

  /** Frees the buffers and callbacks. Idempotent. */
  close(): void {
    if (this.#ptr === null) return;
    bpf().perf_buffer__free(this.#ptr);
    this.#ptr = null;
    this.#sample.close();
    this.#lost.close();
  }
}
