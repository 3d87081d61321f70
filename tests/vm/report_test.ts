import assert from "node:assert/strict";
import { renderMatrix, renderSupport, type Report } from "./report.ts";

const ATTACH = "./tests/kernel/attach_test.ts";
const EXAMPLE = "./tests/kernel/examples/accept-latency_test.ts";

function report(guestOutcome: "passed" | "failed"): Report {
  return {
    date: "2026-11-29T17:00:00.000Z",
    seconds: 300,
    files: [],
    columns: [
      {
        name: "host",
        features: { release: "6.18.44", btf: true, lockdown: "integrity", kprobe: "no kprobes" },
        cases: [
          { file: ATTACH, name: "kprobe/do_getpgid counts calls", outcome: "passed" },
          { file: EXAMPLE, name: "accept latency is measured", outcome: "passed" },
        ],
        notes: [
          { test: "kprobe/do_getpgid counts calls", note: "kprobe: missing (no kprobes)" },
          { test: "accept latency is measured", note: "kprobe: missing (no kprobes)" },
        ],
        status: "ran",
        seconds: null,
      },
      {
        name: "6.1",
        features: { release: "6.1.0-57-amd64", btf: true, lockdown: "none", kprobe: true },
        cases: [
          { file: ATTACH, name: "kprobe/do_getpgid counts calls", outcome: guestOutcome },
          { file: EXAMPLE, name: "accept latency is measured", outcome: "passed" },
        ],
        notes: [{ test: "kprobe/do_getpgid counts calls", note: "kprobe: present" }],
        status: "ran",
        seconds: 120,
      },
    ],
  };
}

Deno.test("the matrix marks clear-error paths and fails only on guest failures", () => {
  const ok = renderMatrix(report("passed"));
  assert.equal(ok.failed, false);
  assert.match(
    ok.text,
    /attach_test\.ts: kprobe\/do_getpgid counts calls\s+pass \(no kprobe\)\s+pass/,
  );
  assert.match(ok.text, /^kprobe\s+no\s+yes$/m);
  const bad = renderMatrix(report("failed"));
  assert.equal(bad.failed, true);
  assert.match(
    bad.markdown,
    /- 6\.1\.0-57-amd64: .*attach_test\.ts: kprobe\/do_getpgid counts calls/,
  );
});

Deno.test("the support table rolls tests up per attach type and example", () => {
  const md = renderSupport(report("passed"));
  assert.match(md, /^\| {2}\| host 6\.18\.44 \| 6\.1\.0-57-amd64 \|$/m);
  assert.match(md, /^\| attach: kprobe \| not supported: kprobe \(no kprobes\) \| works \|$/m);
  assert.match(
    md,
    /^\| example: accept-latency \| not supported: kprobe \(no kprobes\) \| works \|$/m,
  );
  assert.match(renderSupport(report("failed")), /^\| attach: kprobe \| .* \| FAILED \|$/m);
});

Deno.test("a guest without results fails the matrix and lists why, with its log's tail", () => {
  const r = report("passed");
  r.columns.push({
    name: "6.12",
    features: {},
    cases: [],
    notes: [],
    status: "guest failed (run-guest.sh exited 125)",
    detail: "    run-guest: the guest ended without running the command to completion",
    seconds: 40,
  });
  const { text, failed } = renderMatrix(r);
  assert.equal(failed, true);
  assert.match(text, /accept latency is measured\s+pass \(no kprobe\)\s+pass\s+no result$/m);
  assert.match(
    text,
    /^- 6\.12: guest failed \(run-guest\.sh exited 125\)\n {4}run-guest: the guest ended/m,
  );
});

Deno.test("a guest booted twice passes but says why the first boot gave nothing", () => {
  const r = report("passed");
  r.columns[1]!.retried = "guest failed (run-guest.sh exited 125) (log: x/run.log)\n    tail";
  const { text, markdown, failed } = renderMatrix(r);
  assert.equal(failed, false);
  for (const out of [text, markdown]) {
    assert.match(
      out,
      /^- 6\.1\.0-57-amd64: first boot: guest failed \(run-guest\.sh exited 125\)/m,
    );
  }
});
