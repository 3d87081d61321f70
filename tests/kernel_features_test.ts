import assert from "node:assert/strict";
import { ErrnoError } from "../ffi/errno.ts";
import {
  cachedFeatureStatus,
  type FeatureProbes,
  type FeatureStatus,
  hostFeatureStatus,
  hostProbes,
  type ProbeHost,
  REASONS,
} from "../src/kernel_features.ts";
import { kernelTest } from "./kernel/harness.ts";
import { missing } from "./kernel/probes.ts";

const ROOT_CAPS = 0x1ffffffffffn;
const BTF = "/sys/kernel/btf/vmlinux";

/** A host where exactly `readable` can be read, with the given capabilities and TRACING probe. */
function fakeHost(
  readable: string[],
  opts: { caps?: bigint | null; tracing?: () => boolean } = {},
): ProbeHost & { tracingProbes: number } {
  const host = {
    tracingProbes: 0,
    isReadable: (p: string) => readable.includes(p),
    capEff: () => opts.caps === undefined ? ROOT_CAPS : opts.caps,
    probeTracing: () => {
      host.tracingProbes++;
      return (opts.tracing ?? (() => true))();
    },
  };
  return host;
}

Deno.test("kprobes are present with the kprobe PMU or either kprobe_events file", () => {
  for (
    const path of [
      "/sys/bus/event_source/devices/kprobe/type",
      "/sys/kernel/tracing/kprobe_events",
      "/sys/kernel/debug/tracing/kprobe_events",
    ]
  ) {
    assert.deepEqual(hostProbes(fakeHost([path])).kprobe(), { state: "present" }, path);
  }
});

Deno.test("kprobes are missing when neither the PMU nor kprobe_events exists", () => {
  const host = fakeHost(["/sys/bus/event_source/devices/uprobe/type", "/sys/kernel/tracing"]);
  assert.deepEqual(hostProbes(host).kprobe(), { state: "missing", reason: REASONS.noKprobes });
});

Deno.test("uprobes are present with the uprobe PMU and missing without it or uprobe_events", () => {
  const pmu = fakeHost(["/sys/bus/event_source/devices/uprobe/type"]);
  assert.deepEqual(hostProbes(pmu).uprobe(), { state: "present" });
  const legacy = fakeHost(["/sys/kernel/tracing/uprobe_events"]);
  assert.deepEqual(hostProbes(legacy).uprobe(), { state: "present" });
  const none = fakeHost(["/sys/bus/event_source/devices/kprobe/type"]);
  assert.deepEqual(hostProbes(none).uprobe(), { state: "missing", reason: REASONS.noUprobes });
});

Deno.test("trampolines follow libbpf's TRACING probe when the process may load programs", () => {
  assert.deepEqual(hostProbes(fakeHost([BTF])).trampoline(), { state: "present" });
  const refused = fakeHost([BTF], { tracing: () => false });
  assert.deepEqual(hostProbes(refused).trampoline(), {
    state: "missing",
    reason: REASONS.trampolinesRefused,
  });
  // CAP_BPF (39) and CAP_PERFMON (38) without CAP_SYS_ADMIN are enough to probe.
  const bpfOnly = fakeHost([BTF], { caps: (1n << 39n) | (1n << 38n) });
  assert.deepEqual(hostProbes(bpfOnly).trampoline(), { state: "present" });
  assert.equal(bpfOnly.tracingProbes, 1);
});

Deno.test("trampolines are missing without kernel BTF, and the load probe is not run", () => {
  const host = fakeHost([]);
  assert.deepEqual(hostProbes(host).trampoline(), { state: "missing", reason: REASONS.noBtf });
  assert.equal(host.tracingProbes, 0);
});

Deno.test("without CAP_BPF and CAP_PERFMON the trampoline answer is unknown, not missing", () => {
  const host = fakeHost([BTF], { caps: 0n });
  assert.deepEqual(hostProbes(host).trampoline(), {
    state: "unknown",
    reason: REASONS.noPrivilege,
  });
  assert.equal(host.tracingProbes, 0);
  // Unknown capabilities (no /proc) do not stop the probe.
  const unknownCaps = fakeHost([BTF], { caps: null });
  assert.deepEqual(hostProbes(unknownCaps).trampoline(), { state: "present" });
});

Deno.test("a TRACING probe libbpf cannot run is unknown with its errno; other errors propagate", () => {
  const eopnotsupp = fakeHost([BTF], {
    tracing: () => {
      throw new ErrnoError("Cannot probe BPF program type 26: whatever libbpf says", 95);
    },
  });
  assert.deepEqual(hostProbes(eopnotsupp).trampoline(), {
    state: "unknown",
    reason: "cannot probe BPF_PROG_TYPE_TRACING: Operation not supported (errno 95)",
  });
  const bug = fakeHost([BTF], {
    tracing: () => {
      throw new TypeError("not an errno");
    },
  });
  assert.throws(() => hostProbes(bug).trampoline(), TypeError);
});

Deno.test("each feature is probed once however often it is asked about", () => {
  const calls: string[] = [];
  const answer = (name: string, s: FeatureStatus) => () => {
    calls.push(name);
    return s;
  };
  const probes: FeatureProbes = {
    kprobe: answer("kprobe", { state: "missing", reason: "r" }),
    uprobe: answer("uprobe", { state: "present" }),
    trampoline: answer("trampoline", { state: "present" }),
  };
  const status = cachedFeatureStatus(probes);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(status("kprobe"), { state: "missing", reason: "r" });
    assert.deepEqual(status("trampoline"), { state: "present" });
  }
  assert.deepEqual(calls, ["kprobe", "trampoline"]);
});

kernelTest("the kprobe and trampoline answers agree with the test suite's own probes", async () => {
  const kprobe = hostFeatureStatus("kprobe");
  assert.equal(kprobe.state === "present", (await missing("kprobe")) === null, kprobe.state);
  // The test probe asks bpftool, an independent program, whether TRACING programs load.
  const trampoline = hostFeatureStatus("trampoline");
  assert.notEqual(trampoline.state, "unknown", JSON.stringify(trampoline));
  assert.equal(
    trampoline.state === "present",
    (await missing("fentry")) === null,
    JSON.stringify(trampoline),
  );
});
