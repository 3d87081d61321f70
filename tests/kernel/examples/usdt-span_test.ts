/**
 * usdt-span: builds span_demo.c as ebpf_exporter_span_demo in a directory put on the exporter's
 * PATH, runs it, and checks that the kernel span reaches a local OTLP receiver as a child of
 * the span the program made up: same trace id, the program's span id as parent.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest, note, ROOT, sh, waitUntil } from "../harness.ts";
import { withExample } from "./common.ts";
import { startReceiver, withEnv } from "./otlp_receiver.ts";

const RUNS = 3;

kernelTest("usdt-span makes the kernel span a child of the program's own span", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-usdt-span-" });
  const receiver = startReceiver();
  try {
    const demo = `${dir}/ebpf_exporter_span_demo`;
    // Without BPF cookies (before 5.15) libbpf can attach a USDT for every process only in a
    // non-PIE binary: it maps the probe's fixed address to its spec instead.
    const pie = await hasFeature("bpf_cookie");
    if (!pie) note("span_demo built with -no-pie: this kernel has no BPF cookies");
    const flags = pie ? [] : ["-no-pie"];
    await sh("clang", ["-O1", ...flags, "-o", demo, `${ROOT}/tests/kernel/examples/span_demo.c`]);
    const env = {
      PATH: `${dir}:${Deno.env.get("PATH") ?? ""}`,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    await withEnv(env, () =>
      withExample("usdt-span", async () => {
        const ids: Array<[string, string]> = [];
        for (let i = 0; i < RUNS; i++) {
          const [trace, span] = (await sh(demo, [])).trim().split(" ");
          ids.push([trace!, span!]);
        }
        const traces = ids.map(([t]) => t);
        const mine = () => receiver.spans.filter((s) => traces.includes(s.traceId));
        await waitUntil(`${RUNS} usdt spans`, () => mine().length >= RUNS);
        for (const [trace, parent] of ids) {
          const spans = mine().filter((s) => s.traceId === trace);
          assert.equal(spans.length, 1, `trace ${trace}: ${spans.length} spans`);
          const s = spans[0]!;
          assert.deepEqual(
            [s.service, s.name, s.parentSpanId, s.attributes.comm],
            ["span-demo", "usdt-span", parent, "ebpf_exporter_s"],
          );
          assert.match(s.spanId, /^[0-9a-f]{16}$/);
          assert.notEqual(s.spanId, parent);
          // The probes are around a 2 ms sleep.
          assert.ok(s.endNs - s.startNs >= 2_000_000n, `${s.endNs} - ${s.startNs}`);
        }
        const one = mine()[0]!;
        const shown = { ...one, startNs: `${one.startNs}`, endNs: `${one.endNs}` };
        console.error(`received: ${JSON.stringify(shown)}`);
      }));
  } finally {
    await receiver.close();
    await Deno.remove(dir, { recursive: true });
  }
});
