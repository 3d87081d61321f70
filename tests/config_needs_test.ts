import assert from "node:assert/strict";
import {
  formatListing,
  formatNeeds,
  inspectConfigs,
  needItems,
  programSections,
} from "../src/config_needs.ts";
import { configSource, type EmbeddedAssets } from "../src/embedded.ts";
import { permissionFlags } from "../src/permissions.ts";
import { type FeatureStatus, REASONS } from "../src/kernel_features.ts";
import type { KernelFeature } from "../src/sections.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const ATTACH = `${ROOT}tests/fixtures/attach`;

/** A kernel without kprobes, where trampolines could not be probed and uprobes work. */
const STATUS: Record<KernelFeature, FeatureStatus> = {
  kprobe: { state: "missing", reason: REASONS.noKprobes },
  trampoline: { state: "unknown", reason: REASONS.noPrivilege },
  uprobe: { state: "present" },
};
const status = (f: KernelFeature) => STATUS[f];

Deno.test("kinds sharing a feature form one item; duplicates collapse; order is fixed", () => {
  assert.deepEqual(
    needItems(["tp_btf/sys_exit", "kretprobe/x", "tp_btf/sys_enter", "kprobe/x", "fexit/y"]),
    [
      { kinds: ["kprobe", "kretprobe"], feature: "kprobe" },
      { kinds: ["fexit"], feature: "trampoline" },
      { kinds: ["tp_btf"], feature: null },
    ],
  );
  assert.deepEqual(needItems(["raw_tp/a", "tracepoint/b/c", "xdp/eth0"]), [
    { kinds: ["raw_tp"], feature: null },
    { kinds: ["tracepoint"], feature: null },
    { kinds: ["xdp"], feature: null },
  ]);
  assert.deepEqual(needItems([]), []);
});

Deno.test("an unknown section is named in its own item, after the known ones", () => {
  assert.deepEqual(needItems(["foo/bar", "tp_btf/x", "foo/bar"]), [
    { kinds: ["tp_btf"], feature: null },
    { kinds: ['unknown section "foo/bar"'], feature: null },
  ]);
});

Deno.test("the needs column marks missing and unknown features with their reasons", () => {
  const needs = (sections: string[]) =>
    formatNeeds({ name: "x", items: needItems(sections) }, status);
  assert.equal(needs(["tp_btf/a"]), "needs: tp_btf");
  assert.equal(
    needs(["kprobe/a", "kretprobe/a"]),
    "needs: kprobe/kretprobe (missing: kernel has no kprobe support)",
  );
  assert.equal(
    needs(["fentry/a", "fexit/a", "uprobe//bin/sh:main", "tp_btf/b"]),
    "needs: fentry/fexit (unknown: cannot probe without CAP_BPF and CAP_PERFMON), tp_btf, uprobe",
  );
  assert.equal(needs([]), "needs: nothing");
  assert.equal(
    formatNeeds({ name: "x", error: 'Cannot open "x.bpf.o": No such file' }, status),
    'needs: ? (cannot inspect: Cannot open "x.bpf.o": No such file)',
  );
});

Deno.test("names are padded to one column two spaces wider than the longest", () => {
  assert.deepEqual(
    formatListing([
      { name: "timers", items: needItems(["tp_btf/timer_start"]) },
      { name: "accept-latency", items: needItems(["kprobe/inet_csk_accept"]) },
    ], status),
    [
      "timers          needs: tp_btf",
      "accept-latency  needs: kprobe (missing: kernel has no kprobe support)",
    ],
  );
  assert.deepEqual(formatListing([], status), []);
});

Deno.test("a config whose object cannot be inspected is reported and the others still listed", () => {
  const configs = inspectConfigs(["good", "bad"], (name) => {
    if (name === "bad") throw new Error('Cannot open "bad.bpf.o": Invalid argument (errno 22)');
    return ["tp_btf/x"];
  });
  assert.deepEqual(configs, [
    { name: "good", items: [{ kinds: ["tp_btf"], feature: null }] },
    { name: "bad", error: 'Cannot open "bad.bpf.o": Invalid argument (errno 22)' },
  ]);
});

// Exact lines for the committed attach fixtures under STATUS; fixtures added later must at
// least be inspectable with known sections.
const FIXTURE_LINES: Record<string, string> = {
  attach_fentry: "needs: fentry (unknown: cannot probe without CAP_BPF and CAP_PERFMON)",
  attach_fexit: "needs: fexit (unknown: cannot probe without CAP_BPF and CAP_PERFMON)",
  attach_kprobe: "needs: kprobe (missing: kernel has no kprobe support)",
  attach_kprobe_multi: "needs: kprobe.multi (missing: kernel has no kprobe support)",
  attach_kretprobe: "needs: kretprobe (missing: kernel has no kprobe support)",
  attach_ksyscall: "needs: ksyscall (missing: kernel has no kprobe support)",
  attach_nowhere: "needs: raw_tp",
  attach_perf_event: "needs: perf_event",
  attach_raw_tp: "needs: raw_tp",
  attach_tp_btf: "needs: tp_btf",
  attach_tracepoint: "needs: tracepoint",
  attach_uprobe: "needs: uprobe",
  attach_uretprobe: "needs: uretprobe",
  attach_usdt: "needs: usdt",
  attach_xdp: "needs: xdp",
};

function fixtureNames(): string[] {
  return [...Deno.readDirSync(ATTACH)]
    .filter((e) => e.name.endsWith(".yaml"))
    .map((e) => e.name.slice(0, -".yaml".length))
    .sort();
}

Deno.test("the attach fixtures list with the needs of their programs' sections", () => {
  const source = configSource(ATTACH, null, "");
  const names = fixtureNames();
  assert.ok(names.includes("attach_kprobe") && names.includes("attach_fentry"), names.join());
  const lines = formatListing(inspectConfigs(names, (n) => programSections(source, n)), status);
  for (const [i, name] of names.entries()) {
    const line = lines[i]!;
    const [first] = line.split(/\s+/, 1);
    assert.equal(first, name);
    const needs = line.slice(line.indexOf("needs: "));
    const expected = FIXTURE_LINES[name];
    if (expected !== undefined) {
      assert.equal(needs, expected, name);
    } else {
      assert.doesNotMatch(needs, /cannot inspect|unknown section/, `${name}: ${needs}`);
    }
  }
});

Deno.test("embedded objects are inspected from their bytes, like the loader opens them", () => {
  const assets: EmbeddedAssets = {
    packaging: "launcher",
    files: new Map([
      ["attach_kprobe.yaml", `${ATTACH}/attach_kprobe.yaml`],
      ["attach_kprobe.bpf.o", `${ATTACH}/attach_kprobe.bpf.o`],
    ]),
  };
  const source = configSource(null, assets, "/nonexistent");
  assert.equal(source.embedded, true);
  assert.deepEqual(programSections(source, "attach_kprobe"), ["kprobe/do_getpgid"]);
});

Deno.test("a missing object is an error naming the file", () => {
  const source = configSource(ATTACH, null, "");
  assert.throws(
    () => programSections(source, "no_such_config"),
    /no_such_config\.bpf\.o/,
  );
});

Deno.test("--config.list prints every config with its needs column", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...permissionFlags("exporter"),
      `${ROOT}main.ts`,
      "--config.list",
      "--config.dir",
      ATTACH,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const lines = text.trimEnd().split("\n");
  assert.deepEqual(lines.map((l) => l.split(/\s+/, 1)[0]), fixtureNames());
  // The host decides which features are missing; the kinds themselves are fixed.
  const line = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? "";
  assert.match(
    line("attach_kprobe"),
    /^attach_kprobe +needs: kprobe( \((missing|unknown): .+\))?$/,
  );
  assert.match(
    line("attach_fentry"),
    /^attach_fentry +needs: fentry( \((missing|unknown): .+\))?$/,
  );
  assert.match(line("attach_tp_btf"), /^attach_tp_btf +needs: tp_btf$/);
});
