/**
 * The few libc calls the exporter needs. Reads of /proc and /sys go through here because
 * Deno's own fs API refuses them without --allow-all (denoland/deno#27564).
 */

import { ErrnoError, errnoText } from "./errno.ts";
import { DIRENT64 } from "./structs.ts";

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" }, // (const char*, int, mode_t)
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" }, // (int, void*, size_t)
  close: { parameters: ["i32"], result: "i32" },
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" }, // (int, void*, size_t)
  __errno_location: { parameters: [], result: "pointer" }, // int*
  vsnprintf: { parameters: ["buffer", "usize", "pointer", "pointer"], result: "i32" }, // (char*, size_t, const char*, va_list)
  getpid: { parameters: [], result: "i32" },
  malloc_trim: { parameters: ["usize"], result: "i32" }, // (size_t pad): glibc only
  sysconf: { parameters: ["i32"], result: "i64" }, // long sysconf(int name)
  fanotify_init: { parameters: ["u32", "u32"], result: "i32" }, // (unsigned flags, unsigned event_f_flags)
  // (int fd, unsigned flags, uint64_t mask, int dirfd, const char* path)
  fanotify_mark: { parameters: ["i32", "u32", "u64", "i32", "buffer"], result: "i32" },
  ctermid: { parameters: ["pointer"], result: "pointer" }, // (char*): pure, no syscalls
  access: { parameters: ["buffer", "i32"], result: "i32" }, // (const char*, int mode)
  capget: { parameters: ["buffer", "buffer"], result: "i32" }, // (cap_user_header_t, cap_user_data_t)
  capset: { parameters: ["buffer", "buffer"], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  if_nametoindex: { parameters: ["buffer"], result: "u32" }, // (const char*)
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" }, // (domain, type, protocol)
  // (int, const void*, size_t, int flags, const struct sockaddr*, socklen_t)
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  // long syscall(long nr, ...): bound with the argument list perf_event_open needs.
  syscall: { parameters: ["i64", "buffer", "i32", "i32", "i32", "u64"], result: "i64" },
  // The same syscall(2) with bpf(2)'s arguments: (SYS_bpf, int cmd, union bpf_attr*, size).
  syscall_bpf: { name: "syscall", parameters: ["i64", "i64", "buffer", "u64"], result: "i64" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" }, // (clockid_t, struct timespec*)
  eventfd: { parameters: ["u32", "i32"], result: "i32" }, // (unsigned initval, int flags)
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" }, // (int, const void*, size_t)
  // poll(2) on a blocking-pool thread, so waiting for an fd never stalls the event loop.
  poll_wait: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

type LibC = Deno.DynamicLibrary<typeof SYMBOLS>;
let lib: LibC | null = null;

/** The libc binding, opened on first use (no side effects at import). */
export function libc(): LibC["symbols"] {
  if (lib === null) lib = Deno.dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

/**
 * Returns the C heap's free pages to the kernel (glibc's malloc_trim). Start-up frees tens of
 * MiB in Deno and libbpf (module parsing, BTF, ELF relocation) that glibc would otherwise keep
 * resident for the life of the process; see README "Idle memory and start-up".
 */
export function releaseFreedCMemory(): void {
  libc().malloc_trim(0n);
}

/** The calling thread's errno, read right after a failed libc call. */
export function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

const O_RDONLY = 0;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const encoder = new TextEncoder();

/** NUL-terminated bytes of a string, for C string parameters. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(s + "\0");
}

function openOrThrow(path: string, flags: number): number {
  const fd = libc().open(cString(path), flags | O_CLOEXEC, 0);
  if (fd < 0) {
    const e = errno();
    throw new ErrnoError(`Cannot open "${path}": ${errnoText(e)}`, e);
  }
  return fd;
}

/** Reads a whole file through libc; works for /proc and /sys where sizes are unknown. */
export function readFileViaLibc(path: string): Uint8Array<ArrayBuffer> {
  const fd = openOrThrow(path, O_RDONLY);
  try {
    let buf = new Uint8Array(16384);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = Number(libc().read(fd, buf.subarray(len), BigInt(buf.length - len)));
      if (n < 0) {
        const e = errno();
        if (e === 4) continue; // EINTR
        throw new ErrnoError(`Cannot read "${path}": ${errnoText(e)}`, e);
      }
      if (n === 0) return buf.subarray(0, len);
      len += n;
    }
  } finally {
    libc().close(fd);
  }
}

/** Like readFileViaLibc but returns null when the file cannot be opened or read. */
export function tryReadFileViaLibc(path: string): Uint8Array | null {
  try {
    return readFileViaLibc(path);
  } catch {
    return null;
  }
}

/** A directory entry as getdents64 reports it. */
export interface DirEntry {
  name: string;
  inode: bigint;
  isDirectory: boolean;
}

const DT_DIR = 4;
const decoder = new TextDecoder();

/** Lists a directory through libc getdents64 (no "." or ".."). */
export function readDirViaLibc(path: string): DirEntry[] {
  const fd = openOrThrow(path, O_RDONLY | O_DIRECTORY);
  const out: DirEntry[] = [];
  try {
    const buf = new Uint8Array(32768);
    const view = new DataView(buf.buffer);
    for (;;) {
      const n = Number(libc().getdents64(fd, buf, BigInt(buf.length)));
      if (n < 0) {
        const e = errno();
        throw new ErrnoError(`Cannot list "${path}": ${errnoText(e)}`, e);
      }
      if (n === 0) return out;
      const f = DIRENT64.fields;
      for (let off = 0; off < n;) {
        const reclen = view.getUint16(off + f.d_reclen, true);
        const nameStart = off + DIRENT64.computed.d_name.offset;
        let nameEnd = nameStart;
        while (buf[nameEnd] !== 0 && nameEnd < off + reclen) nameEnd++;
        const name = decoder.decode(buf.subarray(nameStart, nameEnd));
        if (name !== "." && name !== "..") {
          out.push({
            name,
            inode: view.getBigUint64(off + f.d_ino, true),
            isDirectory: buf[off + f.d_type] === DT_DIR,
          });
        }
        off += reclen;
      }
    }
  } finally {
    libc().close(fd);
  }
}

/** Opens a directory read-only and returns its fd (the caller closes it with closeFd). */
export function openDirectory(path: string): number {
  return openOrThrow(path, O_RDONLY | O_DIRECTORY);
}

/** Whether a path exists and is readable by this process (works under /proc and /sys). */
export function isReadable(path: string): boolean {
  const R_OK = 4;
  return libc().access(cString(path), R_OK) === 0;
}

const SC_CLK_TCK = 2;
const SC_PAGESIZE = 30;

/** Clock ticks per second of /proc's tick counts, and the page size in bytes. */
export function clockTicksAndPageSize(): { clockTicks: number; pageSize: number } {
  const c = libc();
  return { clockTicks: Number(c.sysconf(SC_CLK_TCK)), pageSize: Number(c.sysconf(SC_PAGESIZE)) };
}

/** This process's pid. */
export function processId(): number {
  return libc().getpid();
}

/**
 * The libc function that stands in for upstream's `post_attach_mark` hook: harmless, makes no
 * syscalls, and nothing in Deno calls it, so a uprobe on it for our pid fires only when we do.
 */
export const POST_ATTACH_LIBRARY = "libc.so.6";
export const POST_ATTACH_FUNCTION = "ctermid";

/** Fires uprobes attached to POST_ATTACH_FUNCTION for this process. */
export function firePostAttachMark(): void {
  libc().ctermid(null);
}

const FAN_CLOEXEC = 0x1;
const FAN_NONBLOCK = 0x2;
const FAN_REPORT_DFID_NAME = 0xc00;
const FAN_MARK_ADD = 0x1;
const FAN_MARK_FILESYSTEM = 0x100;
const FAN_CREATE = 0x100n;
const FAN_DELETE = 0x200n;
const FAN_ONDIR = 0x40000000n;
const AT_FDCWD = -100;

/**
 * Watches a whole filesystem for directories being created or deleted (fanotify). Only tells
 * that something changed; callers rescan. `open` returns null where the kernel or the
 * filesystem does not support it (cgroupfs needs kernel 6.6+).
 */
export class DirectoryChangeWatch {
  #fd: number;
  #buf = new Uint8Array(8192);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Starts watching the filesystem that holds `path`; null with the reason when unsupported. */
  static open(path: string): { watch: DirectoryChangeWatch | null; reason: string } {
    const fd = libc().fanotify_init(FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME, 0);
    if (fd < 0) return { watch: null, reason: `fanotify_init: ${errnoText(errno())}` };
    const mask = FAN_CREATE | FAN_DELETE | FAN_ONDIR;
    if (
      libc().fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, cString(path)) <
        0
    ) {
      const reason = `fanotify_mark "${path}": ${errnoText(errno())}`;
      libc().close(fd);
      return { watch: null, reason };
    }
    return { watch: new DirectoryChangeWatch(fd), reason: "" };
  }

  /** Reads every pending event without blocking; true when there was at least one. */
  drain(): boolean {
    let any = false;
    while (
      this.#fd >= 0 && Number(libc().read(this.#fd, this.#buf, BigInt(this.#buf.length))) > 0
    ) {
      any = true;
    }
    return any;
  }

  /** Stops watching. Idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    libc().close(this.#fd);
    this.#fd = -1;
  }
}

/** Closes a raw file descriptor (Deno 2 has no API for fds it did not open). */
export function closeFd(fd: number): void {
  libc().close(fd);
}

/** Index of a network interface by name; throws when there is none. */
export function interfaceIndex(name: string): number {
  const idx = libc().if_nametoindex(cString(name));
  if (idx === 0) {
    const e = errno();
    throw new ErrnoError(`Cannot find network interface "${name}": ${errnoText(e)}`, e);
  }
  return idx;
}

const PR_SET_NAME = 15;

/** Names the calling thread; on the main thread that is the process name `ps` and `top` show. */
export function setThreadName(name: string): void {
  const buf = cString(name.slice(0, 15));
  const ptr = Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf));
  libc().prctl(PR_SET_NAME, BigInt(ptr), 0n, 0n, 0n);
}

const SYS_BPF: Partial<Record<typeof Deno.build.arch, bigint>> = { x86_64: 321n, aarch64: 280n };

/** The address of a buffer, for pointer fields of a struct passed to the kernel. */
export function bufferAddress(buf: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}

/**
 * A raw bpf(2) call, bypassing libbpf (feature probes that must not depend on it): the result
 * (an fd for loads and link creation) or -1 with the errno.
 */
export function rawBpf(
  cmd: number,
  attr: Uint8Array<ArrayBuffer>,
): { result: number; errno: number } {
  const nr = SYS_BPF[Deno.build.arch];
  if (nr === undefined) throw new Error(`No bpf(2) syscall number known for ${Deno.build.arch}`);
  const r = Number(libc().syscall_bpf(nr, BigInt(cmd), attr, BigInt(attr.length)));
  return r >= 0 ? { result: r, errno: 0 } : { result: -1, errno: errno() };
}

const CLOCK_MONOTONIC = 1;

/** CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns(). */
export function monotonicNs(): bigint {
  const ts = new BigInt64Array(2);
  libc().clock_gettime(CLOCK_MONOTONIC, ts);
  return ts[0]! * 1_000_000_000n + ts[1]!;
}
