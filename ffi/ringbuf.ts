/**
 * BPF ring buffer reader (BPF_MAP_TYPE_RINGBUF) over libbpf's ring_buffer API.
 *
 * Waiting and consuming are split so the event loop never blocks and never spins: `wait()` runs
 * poll(2) on a blocking-pool thread over libbpf's epoll fd and an eventfd of ours, and resolves
 * when records are ready or `wake()` was called; `consume()` then drains the ring on this thread,
 * so libbpf calls the sample callback synchronously and a plain (not thread-safe) callback does.
 */

import { bpf, libbpfStrerror } from "./library.ts";
import { type BpfMap, LibbpfError, MapType } from "./libbpf.ts";
import { closeFd, errno, libc } from "./libc.ts";
import { EINVAL } from "./errno.ts";
import { ErrnoError, errnoText } from "./errno.ts";

const SAMPLE_DEF = { parameters: ["pointer", "pointer", "usize"], result: "i32" } as const;
const POLLIN = 0x1;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
// struct pollfd { int fd; short events; short revents; }
const POLLFD_SIZE = 8;
// Consecutive failed polls after which a ring buffer is given up.
const MAX_POLL_FAILURES = 1000;

/** Reads records a BPF program wrote with bpf_ringbuf_output / bpf_ringbuf_submit. */
export class RingBuffer {
  readonly name: string;
  #ptr: Deno.PointerObject | null;
  #sample: Deno.UnsafeCallback<typeof SAMPLE_DEF>;
  #wakeFd = -1;
  #pollFds = new Uint8Array(2 * POLLFD_SIZE);
  #waiting: Promise<number> | null = null;

  /** Maps the ring of a loaded RINGBUF map. `data` passed to `onSample` is only valid during the call. */
  constructor(map: BpfMap, onSample: (data: Uint8Array) => void) {
    if (map.type !== MapType.RINGBUF) {
      throw new LibbpfError(`Cannot read map "${map.name}" as a ring buffer`, EINVAL);
    }
    this.name = map.name;
    this.#sample = new Deno.UnsafeCallback(SAMPLE_DEF, (_ctx, data, size) => {
      if (data !== null && size > 0n) {
        onSample(new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(data, Number(size))));
      }
      return 0;
    });
    const ptr = bpf().ring_buffer__new(map.fd, this.#sample.pointer, null, null);
    const err = Number(bpf().libbpf_get_error(ptr));
    if (ptr === null || err !== 0) {
      this.#sample.close();
      throw new LibbpfError(
        `Cannot open ring buffer "${map.name}": ${libbpfStrerror(err || -EINVAL)}`,
        err || -EINVAL,
      );
    }
    this.#ptr = ptr;
    this.#wakeFd = libc().eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (this.#wakeFd < 0) {
      const e = errno();
      this.#free();
      throw new ErrnoError(
        `Cannot create an eventfd for ring buffer "${map.name}": ${errnoText(e)}`,
        e,
      );
    }
    const view = new DataView(this.#pollFds.buffer);
    view.setInt32(0, bpf().ring_buffer__epoll_fd(ptr), true);
    view.setInt16(4, POLLIN, true);
    view.setInt32(POLLFD_SIZE, this.#wakeFd, true);
    view.setInt16(POLLFD_SIZE + 4, POLLIN, true);
  }

  /** Hands every ready record to the sample callback; returns how many it handled. */
  consume(): number {
    if (this.#ptr === null) return 0;
    const n = bpf().ring_buffer__consume(this.#ptr);
    return n < 0 ? 0 : n;
  }

  /**
   * Resolves `true` once records are ready, `false` after `wake()` or `close()`. Only one wait
   * may be pending at a time.
   */
  async wait(): Promise<boolean> {
    if (this.#ptr === null) return false;
    if (this.#waiting !== null) throw new Error(`Ring buffer "${this.name}" is already waited on`);
    for (let failures = 0;; failures++) {
      // poll(2) fails for good only on a bad fd or argument (EINTR is the one to retry, and the
      // pool thread's errno cannot be read here): give up instead of spinning.
      if (failures === MAX_POLL_FAILURES) {
        throw new Error(`Cannot wait on ring buffer "${this.name}": poll failed ${failures} times`);
      }
      this.#pollFds[6] =
        this.#pollFds[7] =
        this.#pollFds[14] =
        this.#pollFds[15] =
          0;
      this.#waiting = libc().poll_wait(this.#pollFds, 2n, -1);
      let n: number;
      try {
        n = await this.#waiting;
      } finally {
        this.#waiting = null;
      }
      // The wake fd is never drained: once woken, every later wait returns at once.
      if (this.#pollFds[14] !== 0 || this.#pollFds[15] !== 0) return false;
      if (n > 0) return true;
      // n < 0 is mostly EINTR (a signal reached the pool thread): wait again.
    }
  }

  /** Makes the pending and every later `wait()` resolve `false`. */
  wake(): void {
    if (this.#wakeFd < 0) return;
    const one = new BigUint64Array([1n]);
    libc().write(this.#wakeFd, new Uint8Array(one.buffer), 8n);
  }

  /** Wakes a pending wait, lets it return, then frees the ring. Idempotent. */
  async close(): Promise<void> {
    this.wake();
    if (this.#waiting !== null) await this.#waiting.catch(() => {});
    this.#free();
  }

  #free(): void {
    if (this.#ptr === null) return;
    bpf().ring_buffer__free(this.#ptr);
    this.#ptr = null;
    this.#sample.close();
    if (this.#wakeFd >= 0) closeFd(this.#wakeFd);
    this.#wakeFd = -1;
  }
}
