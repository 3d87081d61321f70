/** Errno numbers the FFI layer reacts to, readable text for any errno, and the errors that carry one. */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const E2BIG = 7;
export const EAGAIN = 11;
export const EACCES = 13;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ENOSYS = 38;
export const EOPNOTSUPP = 95;
/** Kernel-internal "not supported" that leaks out of bpf(2) on some paths. */
export const ENOTSUPP = 524;

// Symbolic code and text of each errno the exporter names; others read "Unknown error".
const ERRNOS: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  3: ["ESRCH", "No such process"],
  4: ["EINTR", "Interrupted system call"],
  7: ["E2BIG", "Argument list too long"],
  9: ["EBADF", "Bad file descriptor"],
  11: ["EAGAIN", "Resource temporarily unavailable"],
  12: ["ENOMEM", "Cannot allocate memory"],
  13: ["EACCES", "Permission denied"],
  14: ["EFAULT", "Bad address"],
  16: ["EBUSY", "Device or resource busy"],
  17: ["EEXIST", "File exists"],
  19: ["ENODEV", "No such device"],
  22: ["EINVAL", "Invalid argument"],
  24: ["EMFILE", "Too many open files"],
  28: ["ENOSPC", "No space left on device"],
  38: ["ENOSYS", "Function not implemented"],
  95: ["EOPNOTSUPP", "Operation not supported"],
  524: ["ENOTSUPP", "Operation not supported by the kernel (ENOTSUPP)"],
};

/** Readable text for an errno (positive or negative), used when libbpf gives none. */
export function errnoText(errno: number): string {
  const n = Math.abs(errno);
  return `${ERRNOS[n]?.[1] ?? "Unknown error"} (errno ${n})`;
}

/** The symbolic name of an errno ("EPERM"), or "errno N" for one without a name here. */
export function errnoCode(errno: number): string {
  const n = Math.abs(errno);
  return ERRNOS[n]?.[0] ?? `errno ${n}`;
}

/** An error carrying the errno of the failed call, for callers that branch on it. */
export class ErrnoError extends Error {
  override name = "ErrnoError";
  /** Positive errno value. */
  readonly errno: number;
  /** Symbolic name of the errno ("EPERM"). */
  readonly code: string;
  constructor(message: string, errno: number, options?: ErrorOptions) {
    super(message, options);
    this.errno = Math.abs(errno);
    this.code = errnoCode(errno);
  }
}

/**
 * A kernel that lacks the feature a call needs, as opposed to one that refuses this caller.
 * Mapping: EOPNOTSUPP (95, e.g. a kernel built without CONFIG_FPROBE for multi-kprobes, or a PMU
 * that cannot sample), ENOTSUPP (524, bpf(2)'s internal code for e.g. fentry without trampolines)
 * and ENOSYS (38, a syscall the kernel was built without). EINVAL is not mapped: old kernels
 * answer it for unknown program or attach types, but so do they for plain bad input, and a
 * wrong "not supported" would hide a real bug.
 */
export class NotSupportedError extends ErrnoError {
  override name = "NotSupportedError";
}

/** Whether an errno means the kernel lacks the feature (see NotSupportedError). */
export function isNotSupported(errno: number): boolean {
  const n = Math.abs(errno);
  return n === EOPNOTSUPP || n === ENOTSUPP || n === ENOSYS;
}

/** An ErrnoError, or a NotSupportedError when the errno says the kernel lacks the feature. */
export function errnoError(message: string, errno: number, options?: ErrorOptions): ErrnoError {
  return isNotSupported(errno)
    ? new NotSupportedError(message, errno, options)
    : new ErrnoError(message, errno, options);
}

/** The first error of a type along an error's `cause` chain (the error itself included), or null. */
export function findCause<T extends Error>(
  error: unknown,
  // deno-lint-ignore no-explicit-any
  type: abstract new (...args: any[]) => T,
): T | null {
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof type) return e;
    seen.add(e);
  }
  return null;
}

/** The first ErrnoError along an error's `cause` chain (the error itself included), or null. */
export function findErrno(error: unknown): ErrnoError | null {
  return findCause(error, ErrnoError);
}
