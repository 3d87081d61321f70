/**
 * The protobuf exposition of every example, through the kernel-free pipeline of e2e_test.ts:
 * decoded with protobufjs from Prometheus' metrics.proto, it holds the very series and values of
 * the example's golden text exposition, and its exp2 histograms on power-of-two multipliers (and
 * only those) carry native buckets that add up to their classic ones.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  exampleNames,
  EXAMPLES,
  FIXTURES,
  isHostDependent,
  readRecording,
  recordedExporter,
} from "./e2e/pipeline.ts";
import { decodeDelimited, protoSeries, textSeries } from "./encode/proto_decode.ts";

// deno-lint-ignore no-explicit-any
type Obj = Record<string, any>;

async function scrapeProtobuf(name: string): Promise<Obj[]> {
  const exporter = recordedExporter(name, readRecording(name));
  try {
    const parts: Uint8Array[] = [];
    for (const chunk of await exporter.scrape("protobuf")) parts.push(chunk);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let n = 0;
    for (const p of parts) {
      bytes.set(p, n);
      n += p.length;
    }
    return (decodeDelimited(bytes) as Obj[]).filter((f) => !isHostDependent(f.name));
  } finally {
    exporter.close();
  }
}

/** Names of the example's histograms that should be native: exp2 with a power-of-two m. */
function nativeReady(name: string): Set<string> {
  const conf = parse(Deno.readTextFileSync(`${EXAMPLES}${name}.yaml`)) as Obj;
  const out = new Set<string>();
  for (const h of (conf.metrics?.histograms ?? []) as Obj[]) {
    const m = h.bucket_multiplier === undefined || h.bucket_multiplier === 0
      ? 1
      : h.bucket_multiplier;
    const exp2 = h.bucket_type === "exp2" || h.bucket_type === "exp2zero";
    if (exp2 && Number.isInteger(Math.log2(m))) out.add(`ebpf_exporter_${h.name}`);
  }
  return out;
}

for (const name of exampleNames()) {
  Deno.test(`e2e: ${name} in protobuf holds its golden exposition's series and values`, async () => {
    const families = await scrapeProtobuf(name);
    const golden = textSeries(Deno.readTextFileSync(`${FIXTURES}${name}.prom`));
    const got = protoSeries(families);
    assert.deepEqual([...got.keys()].sort(), [...golden.keys()].sort());
    for (const [k, v] of golden) assert.ok(Object.is(got.get(k), v), `${k}: ${got.get(k)} != ${v}`);

    const ready = nativeReady(name);
    for (const f of families.filter((f) => f.type === "HISTOGRAM")) {
      for (const m of f.metric as Obj[]) {
        const h = m.histogram as Obj;
        if (!ready.has(f.name)) {
          assert.equal(h.schema, undefined, `${f.name} should stay classic`);
          continue;
        }
        assert.equal(h.schema, 0, `${f.name} should be native`);
        // Native buckets, rebuilt from spans and deltas, add up to the count.
        let total = h.zero_count ?? 0;
        let count = 0;
        const deltas = (h.positive_delta ?? []) as number[];
        for (const d of deltas) total += count += d;
        assert.equal(total, h.sample_count ?? 0, `${f.name} native total`);
      }
    }
  });
}

Deno.test("e2e: the latency examples are native-ready", () => {
  for (
    const name of [
      "accept-latency",
      "biolatency",
      "cfs-throttling",
      "runqueue-latency",
      "softirq-latency",
      "syscalls",
    ]
  ) {
    assert.ok(nativeReady(name).size > 0, name);
  }
});
