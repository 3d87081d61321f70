/**
 * Startup diagnostics: turns the common reasons a config fails to load or attach (no kernel BTF,
 * missing CAP_BPF/CAP_PERFMON, tracefs not mounted, an old kernel) into a sentence with the fix.
 * The facts are gathered once through libc; the advice is a pure function of them.
 */

import { isReadable, tryReadFileViaLibc } from "../ffi/libc.ts";
import { processEffectiveSet } from "../ffi/caps.ts";
import { CAP } from "./capabilities.ts";
import { EACCES, EPERM, findCause, findErrno, NotSupportedError } from "../ffi/errno.ts";
import { SpecError } from "./spec/validate.ts";

/** What the diagnostics know about the host. */
export interface HostFacts {
  /** Effective capabilities of the process, or null when /proc/self/status is unreadable. */
  capEff: bigint | null;
  /** Whether /sys/kernel/btf/vmlinux exists. */
  kernelBtf: boolean;
  /** Whether tracefs events are visible (/sys/kernel/tracing or the debugfs path). */
  tracefs: boolean;
  /** Kernel release (`6.1.0-18-amd64`), or null when unknown. */
  kernel: string | null;
}

/** Reads the facts from /proc and /sys. */
export function gatherHostFacts(): HostFacts {
  const release = tryReadFileViaLibc("/proc/sys/kernel/osrelease");
  return {
    capEff: processEffectiveSet(),
    kernelBtf: isReadable("/sys/kernel/btf/vmlinux"),
    tracefs: isReadable("/sys/kernel/tracing/events") ||
      isReadable("/sys/kernel/debug/tracing/events"),
    kernel: release === null ? null : new TextDecoder().decode(release).trim(),
  };
}

/** The oldest kernel with CAP_BPF, CAP_PERFMON, BPF ring buffers and BPF links for tracing. */
export const MIN_KERNEL: readonly [number, number] = [5, 8];

/** `[major, minor]` of a kernel release string, or null. */
export function kernelVersion(release: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function olderThan(v: [number, number], min: readonly [number, number]): boolean {
  return v[0] < min[0] || (v[0] === min[0] && v[1] < min[1]);
}

function bit(mask: bigint, n: number): boolean {
  return ((mask >> BigInt(n)) & 1n) === 1n;
}

/** Whether the effective set can load and attach tracing programs. */
export function canLoadTracing(capEff: bigint): boolean {
  return bit(capEff, CAP.SYS_ADMIN) || (bit(capEff, CAP.BPF) && bit(capEff, CAP.PERFMON));
}

/** Warnings worth logging before anything is loaded. */
export function preflightWarnings(facts: HostFacts): string[] {
  const out: string[] = [];
  const v = facts.kernel === null ? null : kernelVersion(facts.kernel);
  if (v !== null && olderThan(v, MIN_KERNEL)) {
    out.push(
      `Kernel ${facts.kernel} is older than ${MIN_KERNEL.join(".")}: CAP_BPF, CAP_PERFMON, ` +
        `ring buffers and BPF links may be missing; run as root (CAP_SYS_ADMIN) or upgrade the ` +
        `kernel if loading fails`,
    );
  }
  return out;
}

function capabilityHint(facts: HostFacts): string | null {
  if (facts.capEff === null || canLoadTracing(facts.capEff)) return null;
  const lacking = [
    !bit(facts.capEff, CAP.BPF) ? "CAP_BPF" : null,
    !bit(facts.capEff, CAP.PERFMON) ? "CAP_PERFMON" : null,
  ].filter((x) => x !== null).join(" and ");
  return `the process lacks ${lacking} (CapEff ${facts.capEff.toString(16).padStart(16, "0")}): ` +
    `run it as root, or grant them, e.g. \`setcap cap_bpf,cap_perfmon,cap_syslog+ep ` +
    `ebpf_exporter\`, systemd AmbientCapabilities=CAP_BPF CAP_PERFMON CAP_SYSLOG, or the ` +
    `container's securityContext.capabilities.add (kernels before 5.8 need CAP_SYS_ADMIN)`;
}

function btfHint(facts: HostFacts, btfPath: string | null): string | null {
  if (facts.kernelBtf || btfPath !== null) return null;
  return "the kernel has no BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF): pass " +
    "--btf.path with a BTF file for this exact kernel (for example from BTFHub)";
}

function kernelHint(facts: HostFacts): string | null {
  const v = facts.kernel === null ? null : kernelVersion(facts.kernel);
  if (v === null || !olderThan(v, MIN_KERNEL)) return null;
  return `kernel ${facts.kernel} is older than ${MIN_KERNEL.join(".")}, which the examples ` +
    `need; upgrade the kernel or use programs written for it`;
}

// EPERM and EACCES are how the kernel refuses a caller that lacks a capability (bpf(2),
// perf_event_open and tracefs alike).
function denied(error: unknown): boolean {
  const e = findErrno(error);
  return e !== null && (e.errno === EPERM || e.errno === EACCES);
}

/** Advice for a config that failed to load (empty when nothing known explains it). */
export function loadFailureHints(
  error: unknown,
  facts: HostFacts,
  btfPath: string | null,
): string[] {
  // A config that does not fit its object: no fact about the host explains that.
  if (findCause(error, SpecError) !== null) return [];
  const hints: string[] = [];
  const caps = capabilityHint(facts);
  if (caps !== null && (denied(error) || facts.capEff === 0n)) hints.push(caps);
  const btf = btfHint(facts, btfPath);
  if (btf !== null) hints.push(btf);
  const kernel = kernelHint(facts);
  if (kernel !== null) hints.push(kernel);
  return hints;
}

/** Advice for a program that failed to attach, by its section name and the attach error. */
export function attachFailureHints(section: string, error: unknown, facts: HostFacts): string[] {
  const hints: string[] = [];
  if (/^(tracepoint|tp)\//.test(section) && !facts.tracefs) {
    hints.push(
      "tracefs is not mounted at /sys/kernel/tracing: mount it (`mount -t tracefs tracefs " +
        "/sys/kernel/tracing`), or in a container or chroot bind-mount /sys recursively " +
        "(--rbind, or a hostPath volume for /sys)",
    );
  }
  const caps = capabilityHint(facts);
  if (caps !== null && denied(error)) hints.push(caps);
  const kernel = kernelHint(facts);
  if (kernel !== null && hints.length === 0) hints.push(kernel);
  const e = findErrno(error);
  if (e instanceof NotSupportedError && hints.length === 0) {
    const kernelName = facts.kernel === null ? "the kernel" : `kernel ${facts.kernel}`;
    hints.push(
      `${kernelName} does not support what section "${section}" needs (${e.code}): it was ` +
        `built without that feature or predates it`,
    );
  }
  return hints;
}
