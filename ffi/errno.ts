/** Errno numbers the FFI layer reacts to, and readable text for any errno. */

export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EAGAIN = 11;
export const EACCES = 13;
export const EINVAL = 22;
export const ENOSPC = 28;
export const E2BIG = 7;
export const EOPNOTSUPP = 95;
export const ESRCH = 3;
/** Kernel-internal "not supported" that leaks out of bpf(2) on some paths. */
export const ENOTSUPP = 524;

const NAMES: Record<number, string> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  3: "No such process",
  4: "Interrupted system call",
  7: "Argument list too long",
  9: "Bad file descriptor",
  11: "Resource temporarily unavailable",
  12: "Cannot allocate memory",
  13: "Permission denied",
  14: "Bad address",
  16: "Device or resource busy",
  17: "File exists",
  19: "No such device",
  22: "Invalid argument",
  24: "Too many open files",
  28: "No space left on device",
  95: "Operation not supported",
  524: "Operation not supported by the kernel (ENOTSUPP)",
};

/** Readable text for an errno (positive or negative), used when libbpf gives none. */
export function errnoText(errno: number): string {
  const n = Math.abs(errno);
  return `${NAMES[n] ?? "Unknown error"} (errno ${n})`;
}

/** An error carrying the errno of the failed call, for callers that branch on it. */
export class ErrnoError extends Error {
  override name = "ErrnoError";
  /** Positive errno value. */
  readonly errno: number;
  constructor(message: string, errno: number) {
    super(message);
    this.errno = Math.abs(errno);
  }
}
