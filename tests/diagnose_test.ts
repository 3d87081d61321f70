import assert from "node:assert/strict";
import {
  attachFailureHints,
  canLoadTracing,
  type HostFacts,
  kernelVersion,
  loadFailureHints,
  preflightWarnings,
} from "../src/diagnose.ts";

const ROOT_CAPS = 0x1fffeffffffn;
const HEALTHY: HostFacts = { capEff: ROOT_CAPS, kernelBtf: true, tracefs: true, kernel: "6.1.0" };

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
  assert.deepEqual(loadFailureHints("Operation not permitted", HEALTHY, null), []);
  assert.deepEqual(attachFailureHints("tracepoint/a/b", "No such file", HEALTHY), []);
});

Deno.test("a permission failure without CAP_BPF and CAP_PERFMON says how to grant them", () => {
  const facts = { ...HEALTHY, capEff: 0n };
  const [hint, ...rest] = loadFailureHints('Cannot load "x": Operation not permitted', facts, null);
  assert.match(hint!, /^the process lacks CAP_BPF and CAP_PERFMON \(CapEff 0000000000000000\)/);
  assert.match(hint!, /setcap cap_bpf,cap_perfmon,cap_syslog\+ep/);
  assert.match(hint!, /AmbientCapabilities=CAP_BPF CAP_PERFMON/);
  assert.deepEqual(rest, []);
});

Deno.test("a load failure without kernel BTF suggests --btf.path unless one was given", () => {
  const facts = { ...HEALTHY, kernelBtf: false };
  assert.match(loadFailureHints("failed", facts, null)[0]!, /pass --btf\.path/);
  assert.deepEqual(loadFailureHints("failed", facts, "/btf/vmlinux"), []);
});

Deno.test("an old kernel is warned about up front and named when loading fails", () => {
  const facts = { ...HEALTHY, kernel: "4.19.0-26-amd64" };
  assert.match(preflightWarnings(facts)[0]!, /^Kernel 4\.19\.0-26-amd64 is older than 5\.8/);
  assert.match(loadFailureHints("failed", facts, null)[0]!, /kernel 4\.19\.0-26-amd64 is older/);
});

Deno.test("a tracepoint that fails to attach without tracefs says how to mount it", () => {
  const facts = { ...HEALTHY, tracefs: false };
  const [hint] = attachFailureHints("tracepoint/syscalls/sys_enter_read", "ENOENT", facts);
  assert.match(hint!, /^tracefs is not mounted at \/sys\/kernel\/tracing: mount it/);
  assert.deepEqual(attachFailureHints("tp_btf/sched_switch", "ENOENT", facts), []);
  assert.equal(attachFailureHints("tp/sched/sched_switch", "x", facts).length, 1);
});
