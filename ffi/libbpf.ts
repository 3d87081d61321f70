/**
 * Safe classes over libbpf: object, program, link, map. They own every raw pointer and fd;
 * callers above ffi/ only see these classes, numbers and byte arrays.
 */

import { bpf, libbpfStrerror } from "./library.ts";
import { cString } from "./libc.ts";
import {
  E2BIG,
  EINVAL,
  ENOENT,
  ENOSPC,
  ENOTSUPP,
  EOPNOTSUPP,
  ErrnoError,
  isNotSupported,
  NotSupportedError,
} from "./errno.ts";
import {
  BPF_OBJECT_OPEN_OPTS,
  BPF_PROG_INFO,
  BPF_UPROBE_OPTS,
  BTF_TYPE,
  BTF_VAR_SECINFO,
} from "./structs.ts";

export { type LibbpfInfo, openLibbpf, setLibbpfSink } from "./library.ts";
export { ErrnoError, NotSupportedError } from "./errno.ts";

/** Map types the exporter tells apart (values of enum bpf_map_type). */
export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  RINGBUF: 27,
  CGRP_STORAGE: 32,
} as const;

/**
 * A libbpf or bpf(2) failure, with the errno and libbpf's text for it. Failures whose errno says
 * the kernel lacks the feature are NotSupportedError instead (see ffi/errno.ts); branch on
 * ErrnoError to catch both.
 */
export class LibbpfError extends ErrnoError {
  override name = "LibbpfError";
}

function fail(action: string, err: number | bigint): never {
  const code = -Math.abs(Number(err));
  const message = `${action}: ${libbpfStrerror(code)}`;
  throw isNotSupported(code)
    ? new NotSupportedError(message, code)
    : new LibbpfError(message, code);
}

function cstr(p: Deno.PointerValue): string {
  return p === null ? "" : Deno.UnsafePointerView.getCString(p);
}

function addressOf(buf: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}

/** Options for opening an object file. */
export interface OpenOptions {
  /** Name libbpf uses for the object (defaults to the file name). */
  objectName?: string;
  /** External vmlinux BTF for CO-RE on kernels without /sys/kernel/btf/vmlinux. */
  btfPath?: string;
}

/** A BPF ELF object: open → (set globals) → load → programs/maps → close. */
export class BpfObject {
  #ptr: Deno.PointerObject | null;
  #programs: BpfProgram[] | null = null;
  #maps: BpfMap[] | null = null;
  readonly label: string;

  private constructor(ptr: Deno.PointerObject, label: string) {
    this.#ptr = ptr;
    this.label = label;
  }

  /** Opens an object file; throws LibbpfError naming the file. */
  static openFile(path: string, opts: OpenOptions = {}): BpfObject {
    const keep: Uint8Array[] = [];
    const o = buildOpenOpts(opts, keep);
    const ptr = bpf().bpf_object__open_file(cString(path), o);
    return BpfObject.#check(ptr, `Cannot open "${path}"`, path);
  }

  /** Opens an object from bytes already in memory (embedded examples). */
  static openMem(bytes: Uint8Array, name: string, opts: OpenOptions = {}): BpfObject {
    const keep: Uint8Array[] = [];
    const o = buildOpenOpts({ objectName: name, ...opts }, keep);
    const copy = new Uint8Array(bytes); // libbpf copies the ELF, but the buffer must be ours
    const ptr = bpf().bpf_object__open_mem(copy, BigInt(copy.length), o);
    return BpfObject.#check(ptr, `Cannot open "${name}"`, name);
  }

  static #check(ptr: Deno.PointerValue, action: string, label: string): BpfObject {
    const err = Number(bpf().libbpf_get_error(ptr));
    if (ptr === null || err !== 0) fail(action, err === 0 ? -EINVAL : err);
    return new BpfObject(ptr, label);
  }

  get #handle(): Deno.PointerObject {
    if (this.#ptr === null) throw new Error(`BPF object "${this.label}" is closed`);
    return this.#ptr;
  }

  /** Whether the object carries BTF (known right after open; CO-RE and BTF maps need it). */
  get hasBtf(): boolean {
    return bpf().bpf_object__btf(this.#handle) !== null;
  }

  /** Loads every program and creates every map in the kernel. */
  load(): void {
    const r = bpf().bpf_object__load(this.#handle);
    if (r !== 0) fail(`Cannot load "${this.label}"`, r);
  }

  /** Programs in object order. */
  programs(): BpfProgram[] {
    if (this.#programs === null) {
      const out: BpfProgram[] = [];
      let p = bpf().bpf_object__next_program(this.#handle, null);
      while (p !== null) {
        out.push(new BpfProgram(p));
        p = bpf().bpf_object__next_program(this.#handle, p);
      }
      this.#programs = out;
    }
    return this.#programs;
  }

  /** Maps in object order (including .rodata/.bss internal maps). */
  maps(): BpfMap[] {
    if (this.#maps === null) {
      const out: BpfMap[] = [];
      let m = bpf().bpf_object__next_map(this.#handle, null);
      while (m !== null) {
        out.push(new BpfMap(m));
        m = bpf().bpf_object__next_map(this.#handle, m);
      }
      this.#maps = out;
    }
    return this.#maps;
  }

  /** The map with this name, or null. */
  map(name: string): BpfMap | null {
    return this.maps().find((m) => m.name === name) ?? null;
  }

  /**
   * Offset and size of a global variable inside a data section (e.g. ".rodata"), found through
   * the object's BTF; null when the object has no such variable.
   */
  globalVariable(section: string, variable: string): { offset: number; size: number } | null {
    const s = bpf();
    const btf = s.bpf_object__btf(this.#handle);
    if (btf === null) return null;
    const BTF_KIND_DATASEC = 15;
    const id = s.btf__find_by_name_kind(btf, cString(section), BTF_KIND_DATASEC);
    if (id < 0) return null;
    const t = s.btf__type_by_id(btf, id);
    if (t === null) return null;
    // A DATASEC's btf_type is followed by vlen btf_var_secinfo entries.
    const view = new Deno.UnsafePointerView(t);
    const vlen = view.getUint32(BTF_TYPE.fields.info) & 0xffff;
    const info = BTF_VAR_SECINFO.fields;
    for (let i = 0; i < vlen; i++) {
      const base = BTF_TYPE.size + i * BTF_VAR_SECINFO.size;
      const varType = s.btf__type_by_id(btf, view.getUint32(base + info.type));
      if (varType === null) continue;
      const nameOff = new Deno.UnsafePointerView(varType).getUint32(BTF_TYPE.fields.name_off);
      if (cstr(s.btf__name_by_offset(btf, nameOff)) === variable) {
        return {
          offset: view.getUint32(base + info.offset),
          size: view.getUint32(base + info.size),
        };
      }
    }
    return null;
  }

  /** Frees the object; its programs and maps go away with it once no link holds them. Idempotent. */
  close(): void {
    if (this.#ptr === null) return;
    bpf().bpf_object__close(this.#ptr);
    this.#ptr = null;
  }

  /** Whether close() has run. */
  get closed(): boolean {
    return this.#ptr === null;
  }
}

function buildOpenOpts(opts: OpenOptions, keep: Uint8Array[]): Uint8Array {
  const layout = BPF_OBJECT_OPEN_OPTS;
  const raw = new Uint8Array(layout.size);
  const v = new DataView(raw.buffer);
  v.setBigUint64(layout.fields.sz, BigInt(layout.size), true);
  const setStr = (off: number, s: string | undefined) => {
    if (s === undefined) return;
    const b = cString(s);
    keep.push(b);
    v.setBigUint64(off, addressOf(b), true);
  };
  setStr(layout.fields.object_name, opts.objectName);
  setStr(layout.fields.btf_custom_path, opts.btfPath);
  return raw;
}

/** Kernel-side facts about a loaded program (struct bpf_prog_info). */
export interface ProgramInfo {
  id: number;
  tag: string;
  runTimeNs: bigint;
  runCount: bigint;
}

/** One program of an object. */
export class BpfProgram {
  #ptr: Deno.PointerObject;
  readonly name: string;
  readonly section: string;

  /** @internal built by BpfObject */
  constructor(ptr: Deno.PointerObject) {
    this.#ptr = ptr;
    this.name = cstr(bpf().bpf_program__name(ptr));
    this.section = cstr(bpf().bpf_program__section_name(ptr));
  }

  /** The program's fd once loaded, or -1. */
  get fd(): number {
    return bpf().bpf_program__fd(this.#ptr);
  }

  /** Whether libbpf will load this program. */
  get autoload(): boolean {
    return bpf().bpf_program__autoload(this.#ptr);
  }

  /** Attaches by section name (libbpf auto-attach rules). */
  attach(): BpfLink {
    return this.#link(bpf().bpf_program__attach(this.#ptr), "");
  }

  /** Attaches to an already opened perf event fd. */
  attachPerfEvent(perfFd: number): BpfLink {
    return this.#link(bpf().bpf_program__attach_perf_event(this.#ptr, perfFd), "perf event");
  }

  /** Attaches as a uprobe on a function of a binary or library, for one process or all (-1). */
  attachUprobe(binary: string, func: string, pid: number): BpfLink {
    const layout = BPF_UPROBE_OPTS;
    const opts = new Uint8Array(layout.size);
    const v = new DataView(opts.buffer);
    const name = cString(func);
    v.setBigUint64(layout.fields.sz, BigInt(layout.size), true);
    v.setBigUint64(layout.fields.func_name, addressOf(name), true);
    const link = bpf().bpf_program__attach_uprobe_opts(this.#ptr, pid, cString(binary), 0n, opts);
    return this.#link(link, `${binary}:${func}`);
  }

  /** Attaches as an XDP link on an interface index. */
  attachXdp(ifindex: number): BpfLink {
    return this.#link(bpf().bpf_program__attach_xdp(this.#ptr, ifindex), `ifindex ${ifindex}`);
  }

  #link(ptr: Deno.PointerValue, what: string): BpfLink {
    const err = Number(bpf().libbpf_get_error(ptr));
    if (ptr === null || err !== 0) {
      const target = what ? ` to ${what}` : "";
      fail(`Cannot attach program "${this.name}" (${this.section})${target}`, err || -EINVAL);
    }
    return new BpfLink(ptr);
  }

  /** Reads id, tag and run statistics from the kernel. */
  info(): ProgramInfo {
    const { size, fields } = BPF_PROG_INFO;
    const buf = new Uint8Array(size);
    const len = new Uint32Array([size]);
    const r = bpf().bpf_obj_get_info_by_fd(this.fd, buf, new Uint8Array(len.buffer));
    if (r !== 0) fail(`Cannot get info of program "${this.name}"`, r);
    const v = new DataView(buf.buffer);
    let tag = "";
    for (let i = 0; i < 8; i++) tag += buf[fields.tag + i]!.toString(16).padStart(2, "0");
    return {
      id: v.getUint32(fields.id, true),
      tag,
      runTimeNs: v.getBigUint64(fields.run_time_ns, true),
      runCount: v.getBigUint64(fields.run_cnt, true),
    };
  }
}

/** An attachment; destroying it detaches the program. */
export class BpfLink {
  #ptr: Deno.PointerObject | null;

  /** @internal built by BpfProgram */
  constructor(ptr: Deno.PointerObject) {
    this.#ptr = ptr;
  }

  /** Detaches and frees the link. Idempotent. */
  destroy(): void {
    if (this.#ptr === null) return;
    bpf().bpf_link__destroy(this.#ptr);
    this.#ptr = null;
  }
}

/** Every entry of a map read in one pass: keys and values packed back to back. */
export interface MapEntries {
  count: number;
  /** count × keySize bytes. */
  keys: Uint8Array;
  /** count × valueStride bytes; per-CPU maps hold one 8-byte-aligned slot per possible CPU. */
  values: Uint8Array;
  /** Bytes per entry in `values`. */
  valueStride: number;
  /** Bytes per CPU slot inside one entry (the value size rounded up to 8 for per-CPU maps). */
  slotSize: number;
  /** How many CPU slots each entry holds (1 for ordinary maps). */
  slots: number;
}

/**
 * Entries one step of `BpfMap.readAllSliced` reads: a batch lookup of this many entries takes a
 * few milliseconds, so the event loop is never held long by a large map's read.
 */
export const READ_STEP_ENTRIES = 16384;

/** How a map is read; "auto" probes batch once and falls back to per-key. */
export type ReadMode = "auto" | "batch" | "per-key";

const PERCPU_TYPES = new Set<number>([
  MapType.PERCPU_HASH,
  MapType.PERCPU_ARRAY,
  MapType.LRU_PERCPU_HASH,
]);

/** Whether lookups in maps of this type return one value slot per possible CPU. */
export function isPerCpuMapType(type: number): boolean {
  return PERCPU_TYPES.has(type);
}

let possibleCpusCache = 0;

/** Number of possible CPUs (sizes per-CPU value buffers). */
export function possibleCpus(): number {
  if (possibleCpusCache === 0) {
    const n = bpf().libbpf_num_possible_cpus();
    if (n <= 0) fail("Cannot count possible CPUs", n);
    possibleCpusCache = n;
  }
  return possibleCpusCache;
}

/** Program types the exporter probes for (values of enum bpf_prog_type). */
export const ProgramType = {
  TRACING: 26,
} as const;

/**
 * Whether the kernel accepts programs of this type, by libbpf's own probe: it loads a two-
 * instruction program and closes it. For TRACING, libbpf 1.x aims a fentry program at BTF id 1,
 * which a kernel with trampolines rejects with EINVAL as "not a function"; any other outcome
 * (EPERM under lockdown, no BTF, no support) counts as missing. Throws LibbpfError carrying the
 * errno when libbpf cannot probe the type at all.
 */
export function probeProgramType(type: number): boolean {
  const r = bpf().libbpf_probe_bpf_prog_type(type, null);
  if (r < 0) fail(`Cannot probe BPF program type ${type}`, r);
  return r === 1;
}

/** One map of an object; reads reuse buffers across calls. */
export class BpfMap {
  #ptr: Deno.PointerObject;
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  #batchSupported: boolean | null = null;
  #keys = new Uint8Array(0);
  #values = new Uint8Array(0);
  #capacity = 0;
  /** Mode of `readAll()` calls that name none (benchmarks force "per-key" through it). */
  readMode: ReadMode = "auto";
  /** Called once with the outcome of the batch probe (for a debug log line). */
  onProbe: ((map: BpfMap, batch: boolean, reason: string) => void) | null = null;

  /** @internal built by BpfObject */
  constructor(ptr: Deno.PointerObject) {
    this.#ptr = ptr;
    const s = bpf();
    this.name = cstr(s.bpf_map__name(ptr));
    this.type = s.bpf_map__type(ptr);
    this.keySize = s.bpf_map__key_size(ptr);
    this.valueSize = s.bpf_map__value_size(ptr);
    this.maxEntries = s.bpf_map__max_entries(ptr);
  }

  /** The map's fd once the object is loaded, or a negative number. */
  get fd(): number {
    return bpf().bpf_map__fd(this.#ptr);
  }

  /** Whether lookups return one value slot per possible CPU. */
  get perCpu(): boolean {
    return isPerCpuMapType(this.type);
  }

  /** Whether batch lookup is used (null until the first read probes it). */
  get batchSupported(): boolean | null {
    return this.#batchSupported;
  }

  /** Where libbpf pins this map (set for `LIBBPF_PIN_BY_NAME` maps once opened), or null. */
  get pinPath(): string | null {
    const p = bpf().bpf_map__pin_path(this.#ptr);
    return p === null ? null : cstr(p);
  }

  /** Removes the map's pin file; returns false when there was none. */
  unpin(): boolean {
    const r = bpf().bpf_map__unpin(this.#ptr, null);
    if (r === -ENOENT) return false;
    if (r !== 0) fail(`Cannot unpin map "${this.name}"`, r);
    return true;
  }

  /** Sets the initial contents of a global-data map (.rodata/.data/.bss) before load. */
  setInitialValue(bytes: Uint8Array): void {
    const r = bpf().bpf_map__set_initial_value(this.#ptr, bytes, BigInt(bytes.length));
    if (r !== 0) fail(`Cannot set initial value of map "${this.name}"`, r);
  }

  /** The current initial contents of a global-data map (a copy), or null. */
  initialValue(): Uint8Array | null {
    const size = new BigUint64Array(1);
    const p = bpf().bpf_map__initial_value(this.#ptr, new Uint8Array(size.buffer));
    if (p === null) return null;
    const n = Number(size[0]);
    return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, n).slice(0));
  }

  #layout(): { slotSize: number; slots: number; stride: number } {
    if (!this.perCpu) return { slotSize: this.valueSize, slots: 1, stride: this.valueSize };
    const slotSize = Math.ceil(this.valueSize / 8) * 8;
    const slots = possibleCpus();
    return { slotSize, slots, stride: slotSize * slots };
  }

  #ensure(capacity: number, stride: number): void {
    if (capacity <= this.#capacity) return;
    this.#capacity = capacity;
    this.#keys = new Uint8Array(capacity * this.keySize);
    this.#values = new Uint8Array(capacity * stride);
  }

  /**
   * Reads every entry. Batch lookup is tried first and remembered per map; maps or kernels
   * without it fall back to get-next-key + lookup. The returned buffers are reused by the next
   * read of this map, so callers must finish with them first.
   */
  readAll(mode: ReadMode = this.readMode): MapEntries {
    const steps = this.#read(mode, Infinity);
    for (let r = steps.next();; r = steps.next()) if (r.done) return r.value;
  }

  /**
   * Like `readAll`, in steps of at most `entriesPerStep` entries (one batch lookup call, or that
   * many get-next-key + lookup pairs), awaiting `pause()` between steps so that a large map
   * does not hold the event loop for one long read. Same entries, same reused buffers.
   */
  async readAllSliced(
    pause: () => Promise<void>,
    entriesPerStep = READ_STEP_ENTRIES,
    mode: ReadMode = this.readMode,
  ): Promise<MapEntries> {
    const steps = this.#read(mode, Math.max(1, entriesPerStep));
    for (let r = steps.next();; r = steps.next()) {
      if (r.done) return r.value;
      await pause();
    }
  }

  // The read as steps: yields between kernel calls of at most `step` entries each.
  *#read(mode: ReadMode, step: number): Generator<void, MapEntries> {
    const { slotSize, slots, stride } = this.#layout();
    this.#ensure(Math.max(1, this.maxEntries), stride);
    const fd = this.fd;
    if (fd < 0) throw new LibbpfError(`Cannot read map "${this.name}": it is not loaded`, EINVAL);
    let count: number;
    const useBatch = mode === "batch" || (mode === "auto" && this.#batchSupported !== false);
    if (useBatch) {
      const r = yield* this.#readBatch(fd, stride, step);
      if (r >= 0) {
        count = r;
        if (this.#batchSupported === null) {
          this.#batchSupported = true;
          this.onProbe?.(this, true, "batch lookup works");
        }
      } else if (mode === "auto" && this.#batchSupported === null) {
        this.#batchSupported = false;
        this.onProbe?.(this, false, libbpfStrerror(r));
        count = yield* this.#readPerKey(fd, stride, step);
      } else {
        fail(`Cannot read map "${this.name}"`, r);
      }
    } else {
      count = yield* this.#readPerKey(fd, stride, step);
    }
    return {
      count,
      keys: this.#keys.subarray(0, count * this.keySize),
      values: this.#values.subarray(0, count * stride),
      valueStride: stride,
      slotSize,
      slots,
    };
  }

  // Returns the entry count, or a negative errno when batch lookup is unsupported for this map.
  *#readBatch(fd: number, stride: number, step: number): Generator<void, number> {
    const tokenSize = Math.max(8, this.keySize);
    const tokA = new Uint8Array(tokenSize);
    const tokB = new Uint8Array(tokenSize);
    let inTok: Uint8Array | null = null;
    let outTok = tokA;
    const countBuf = new Uint32Array(1);
    const countBytes = new Uint8Array(countBuf.buffer);
    let n = 0;
    // Grows when one hash bucket holds more entries than a step asks for (ENOSPC).
    let ask = step;
    for (;;) {
      if (this.#capacity - n < 1) this.#grow(stride, n);
      countBuf[0] = Math.min(ask, this.#capacity - n);
      const r = bpf().bpf_map_lookup_batch(
        fd,
        inTok,
        outTok,
        this.#keys.subarray(n * this.keySize),
        this.#values.subarray(n * stride),
        countBytes,
        null,
      );
      const got = countBuf[0]!;
      if (r === 0 || r === -ENOENT) {
        n += got;
        if (r === -ENOENT) return n;
        inTok = outTok;
        outTok = outTok === tokA ? tokB : tokA;
        yield;
        continue;
      }
      if (r === -ENOSPC) {
        // One hash bucket holds more entries than asked for: ask for more (growing the buffers
        // when the space left is what limited the ask) and retry this step.
        if (ask < this.#capacity - n) ask *= 2;
        else this.#grow(stride, n);
        continue;
      }
      if (n === 0 && (r === -EINVAL || r === -EOPNOTSUPP || r === -ENOTSUPP || r === -E2BIG)) {
        return r;
      }
      fail(`Cannot batch-read map "${this.name}"`, r);
    }
  }

  #grow(stride: number, used: number): void {
    const keys = this.#keys;
    const values = this.#values;
    this.#capacity = Math.max(16, this.#capacity * 2);
    this.#keys = new Uint8Array(this.#capacity * this.keySize);
    this.#values = new Uint8Array(this.#capacity * stride);
    this.#keys.set(keys.subarray(0, used * this.keySize));
    this.#values.set(values.subarray(0, used * stride));
  }

  *#readPerKey(fd: number, stride: number, step: number): Generator<void, number> {
    const s = bpf();
    const ks = this.keySize;
    let n = 0;
    let prev: Uint8Array | null = null;
    const next = new Uint8Array(ks);
    for (let calls = 1;; calls++) {
      if (calls % step === 0) yield;
      const r = s.bpf_map_get_next_key(fd, prev, next);
      if (r === -ENOENT) return n;
      if (r !== 0) fail(`Cannot iterate map "${this.name}"`, r);
      if (n >= this.#capacity) this.#grow(stride, n);
      const key = this.#keys.subarray(n * ks, (n + 1) * ks);
      key.set(next);
      const lr = s.bpf_map_lookup_elem(
        fd,
        key,
        this.#values.subarray(n * stride, (n + 1) * stride),
      );
      if (lr === 0) n++;
      else if (lr !== -ENOENT) fail(`Cannot look up map "${this.name}"`, lr);
      // A key deleted between get-next-key and lookup is skipped; iteration continues from it.
      prev = prev === null ? new Uint8Array(ks) : prev;
      prev.set(next);
    }
  }

  /** Writes many entries at once (tests and benchmarks fill maps with it). */
  updateBatch(keys: Uint8Array, values: Uint8Array, count: number): void {
    const c = new Uint32Array([count]);
    const r = bpf().bpf_map_update_batch(this.fd, keys, values, new Uint8Array(c.buffer), null);
    if (r !== 0) fail(`Cannot batch-update map "${this.name}"`, r);
  }

  /** Writes one entry. */
  update(key: Uint8Array, value: Uint8Array, flags = 0): void {
    const r = bpf().bpf_map_update_elem(this.fd, key, value, BigInt(flags));
    if (r !== 0) fail(`Cannot update map "${this.name}"`, r);
  }

  /** Deletes one entry; returns false when it was not there. */
  delete(key: Uint8Array): boolean {
    const r = bpf().bpf_map_delete_elem(this.fd, key);
    if (r === -ENOENT) return false;
    if (r !== 0) fail(`Cannot delete from map "${this.name}"`, r);
    return true;
  }

  /** Reads one entry into a fresh buffer, or null when absent. */
  lookup(key: Uint8Array): Uint8Array | null {
    const { stride } = this.#layout();
    const out = new Uint8Array(stride);
    const r = bpf().bpf_map_lookup_elem(this.fd, key, out);
    if (r === -ENOENT) return null;
    if (r !== 0) fail(`Cannot look up map "${this.name}"`, r);
    return out;
  }
}
