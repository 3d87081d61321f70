import assert from "node:assert/strict";
import {
  CAPABILITY_NAMES,
  capabilityNames,
  formatCapabilities,
  keptSets,
  parseKeep,
} from "../src/capabilities.ts";

const BPF = 1n << 39n;
const PERFMON = 1n << 38n;
const ALL = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;

Deno.test("keep accepts all, none and lists of names in any case, with or without cap_", () => {
  assert.deepEqual(parseKeep("all"), { kind: "all" });
  assert.deepEqual(parseKeep("none"), { kind: "set", mask: 0n });
  assert.deepEqual(parseKeep("cap_bpf,CAP_PERFMON"), { kind: "set", mask: BPF | PERFMON });
  assert.deepEqual(parseKeep(" bpf , perfmon "), { kind: "set", mask: BPF | PERFMON });
  assert.deepEqual(parseKeep("cap_chown"), { kind: "set", mask: 1n });
});

Deno.test("an unknown or empty capability name is an error quoting it", () => {
  assert.throws(() => parseKeep("cap_bpf,cap_nope"), /unknown capability "cap_nope"/);
  assert.throws(() => parseKeep("cap_bpf,,cap_perfmon"), /unknown capability ""/);
  assert.throws(() => parseKeep(""), /unknown capability ""/);
});

Deno.test("capability names come out in number order", () => {
  assert.deepEqual(capabilityNames(BPF | PERFMON | 1n), ["cap_chown", "cap_perfmon", "cap_bpf"]);
  assert.deepEqual(capabilityNames(1n << 50n), ["cap_50"]);
});

Deno.test("capability text follows libcap's short forms", () => {
  assert.equal(formatCapabilities({ effective: 0n, permitted: 0n, inheritable: 0n }), "=");
  assert.equal(formatCapabilities({ effective: ALL, permitted: ALL, inheritable: 0n }), "=ep");
  const noResource = ALL & ~(1n << 24n);
  assert.equal(
    formatCapabilities({ effective: noResource, permitted: noResource, inheritable: 0n }),
    "=ep cap_sys_resource-ep",
  );
  assert.equal(
    formatCapabilities({ effective: BPF | PERFMON, permitted: BPF | PERFMON, inheritable: 0n }),
    "cap_perfmon,cap_bpf=ep",
  );
  assert.equal(
    formatCapabilities({ effective: BPF, permitted: BPF | PERFMON, inheritable: 0n }),
    "cap_perfmon=p cap_bpf=ep",
  );
});

Deno.test("the kept sets are exactly the mask in permitted and effective, no inheritable", () => {
  assert.deepEqual(keptSets(BPF), { effective: BPF, permitted: BPF, inheritable: 0n });
});
