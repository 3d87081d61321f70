import assert from "node:assert/strict";
import {
  attachFailureHints,
  canLoadTracing,
  type HostFacts,
  kernelVersion,
  loadFailureHints,
  preflightWarnings,
} from "../src/diagnose.ts";
import { EACCES, ENOENT, ENOTSUPP, EPERM, ErrnoError, NotSupportedError } from "../ffi/errno.ts";
import { LibbpfError } from "../ffi/libbpf.ts";
import { LoadError } from "../src/exporter/loader.ts";
import { SpecError } from "../src/spec/validate.ts";

const ROOT_CAPS = 0x1fffeffffffn;
const HEALTHY: HostFacts = { capEff: ROOT_CAPS, kernelBtf: true, tracefs: true, kernel: "6.1.0" };
const NO_CAPS: HostFacts = { ...HEALTHY, capEff: 1n << 39n }; // CAP_BPF alone

/** A LoadError over a libbpf failure with this errno, as the loader throws it. */
function loadFailure(errno: number): LoadError {
  const cause = new LibbpfError(`Cannot load "x.bpf.o": whatever libbpf says`, errno);
  return new LoadError(`Cannot load config "x": ${cause.message}`, { cause });
}

const FAILED = new LoadError('Cannot load config "x": failed');

Deno.test("kernel releases read as major and minor", () => {
  assert.deepEqual(kernelVersion("6.18.44-fc-v595"), [6, 18]);
  assert.deepEqual(kernelVersion("5.4.0-150-generic"), [5, 4]);
  assert.equal(kernelVersion("weird"), null);
});

Deno.test("tracing needs CAP_SYS_ADMIN, or CAP_BPF together with CAP_PERFMON", () => {
  assert.equal(canLoadTracing(1n << 21n), true);
  assert.equal(canLoadTracing((1n << 38n) | (1n << 39n)), true);
  assert.equal(canLoadTracing(1n << 39n), false);
  assert.equal(canLoadTracing(0n), false);
});

Deno.test("a healthy host gets no hints", () => {
  assert.deepEqual(preflightWarnings(HEALTHY), []);
  assert.deepEqual(loadFailureHints(loadFailure(EPERM), HEALTHY, null), []);
  assert.deepEqual(
    attachFailureHints("tracepoint/a/b", new ErrnoError("No such file", ENOENT), HEALTHY),
    [],
  );
});

Deno.test("a permission failure without CAP_BPF and CAP_PERFMON says how to grant them", () => {
  const facts = { ...HEALTHY, capEff: 0n };
  const [hint, ...rest] = loadFailureHints(loadFailure(EPERM), facts, null);
  assert.match(hint!, /^the process lacks CAP_BPF and CAP_PERFMON \(CapEff 0000000000000000\)/);
  assert.match(hint!, /setcap cap_bpf,cap_perfmon,cap_syslog\+ep/);
  assert.match(hint!, /AmbientCapabilities=CAP_BPF CAP_PERFMON/);
  assert.deepEqual(rest, []);
});

Deno.test("a load failure without kernel BTF suggests --btf.path unless one was given", () => {
  const facts = { ...HEALTHY, kernelBtf: false };
  assert.match(loadFailureHints(FAILED, facts, null)[0]!, /pass --btf\.path/);
  assert.deepEqual(loadFailureHints(FAILED, facts, "/btf/vmlinux"), []);
});

Deno.test("an old kernel is warned about up front and named when loading fails", () => {
  const facts = { ...HEALTHY, kernel: "4.19.0-26-amd64" };
  assert.match(preflightWarnings(facts)[0]!, /^Kernel 4\.19\.0-26-amd64 is older than 5\.8/);
  assert.match(loadFailureHints(FAILED, facts, null)[0]!, /kernel 4\.19\.0-26-amd64 is older/);
});

Deno.test("a tracepoint that fails to attach without tracefs says how to mount it", () => {
  const facts = { ...HEALTHY, tracefs: false };
  const enoent = new ErrnoError("Cannot attach", ENOENT);
  const [hint] = attachFailureHints("tracepoint/syscalls/sys_enter_read", enoent, facts);
  assert.match(hint!, /^tracefs is not mounted at \/sys\/kernel\/tracing: mount it/);
  assert.deepEqual(attachFailureHints("tp_btf/sched_switch", enoent, facts), []);
  assert.equal(attachFailureHints("tp/sched/sched_switch", enoent, facts).length, 1);
});

Deno.test("the capability hint follows the errno along the cause chain, not the message", () => {
  const caps = /^the process lacks CAP_PERFMON \(CapEff 0000008000000000\)/;
  assert.match(loadFailureHints(loadFailure(EPERM), NO_CAPS, null)[0]!, caps);
  assert.match(loadFailureHints(loadFailure(EACCES), NO_CAPS, null)[0]!, caps);
  assert.deepEqual(loadFailureHints(loadFailure(ENOENT), NO_CAPS, null), []);
  // A message that merely says "Operation not permitted" carries no errno: no hint.
  const text = new LoadError('Cannot load config "x": Operation not permitted (EPERM)');
  assert.deepEqual(loadFailureHints(text, NO_CAPS, null), []);
  const attach = new LibbpfError("Cannot attach program", EPERM);
  assert.match(attachFailureHints("kprobe/x", attach, NO_CAPS)[0]!, caps);
  assert.deepEqual(attachFailureHints("kprobe/x", new LibbpfError("x", ENOENT), NO_CAPS), []);
});

Deno.test("a config that does not fit its object gets no host hints", () => {
  const facts = { ...HEALTHY, capEff: 0n, kernelBtf: false, kernel: "4.19.0" };
  const pos = { file: "x.yaml", line: 3, key: "metrics.counters[0]" };
  const cause = new SpecError("x", pos, 'value size of map "m" is 4 bytes');
  const e = new LoadError(`Cannot load config "x": ${cause.message}`, { cause });
  assert.deepEqual(loadFailureHints(e, facts, null), []);
  assert.equal(loadFailureHints(FAILED, facts, null).length, 3);
});

Deno.test("an attach the kernel does not support names the section and the errno code", () => {
  const e = new NotSupportedError("Cannot attach program", ENOTSUPP);
  assert.deepEqual(attachFailureHints("fentry/do_nanosleep", e, HEALTHY), [
    'kernel 6.1.0 does not support what section "fentry/do_nanosleep" needs (ENOTSUPP): it ' +
    "was built without that feature or predates it",
  ]);
  const old = { ...HEALTHY, kernel: "5.4.0" };
  assert.match(attachFailureHints("fentry/x", e, old)[0]!, /^kernel 5\.4\.0 is older than 5\.8/);
});
