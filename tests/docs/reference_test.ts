/**
 * docs/configuration.md against the code: a section for every key of the parser's key table
 * (with its type and default), for every decoder of the registry (with an example that the real
 * decoders reproduce), and the histogram worked table folded by the exporter's own code.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { CONFIG_SECTIONS, type KeySpec, type SectionId } from "../../src/config/keys.ts";
import type { BucketType, DecoderConfig, HistogramConfig } from "../../src/config/types.ts";
import { DECODER_FACTORIES } from "../../src/decoders/registry.ts";
import { foldHistogram } from "../../src/exporter/histogram.ts";
import { formatFloat } from "../../src/encode/float.ts";
import { bucketPairs } from "../../src/encode/model.ts";
import { fakeHost } from "../e2e/host.ts";
import { builtinFamilies } from "../../src/exporter/builtins.ts";

const DOC = new URL("../../docs/configuration.md", import.meta.url).pathname;

/** The `### ` sections under one `## ` chapter: heading text → body. */
function sections(chapter: string): Map<string, string> {
  const text = Deno.readTextFileSync(DOC);
  const start = text.indexOf(`\n## ${chapter}\n`);
  assert.ok(start >= 0, `docs/configuration.md has no "## ${chapter}" chapter`);
  const end = text.indexOf("\n## ", start + 1);
  const body = text.slice(start, end < 0 ? undefined : end);
  const out = new Map<string, string>();
  for (const part of body.split("\n### ").slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl).trim(), part.slice(nl + 1));
  }
  return out;
}

/** Every key of the key table as its reference heading (`metrics.counters[].name`). */
function documentedKeys(): Array<{ heading: string; key: string; spec: KeySpec }> {
  const out = [];
  for (const id of Object.keys(CONFIG_SECTIONS) as SectionId[]) {
    const section = CONFIG_SECTIONS[id];
    for (const [key, spec] of Object.entries(section.keys)) {
      out.push({ heading: `\`${section.path}${key}\``, key, spec });
    }
  }
  return out;
}

function field(body: string, name: string): string | undefined {
  const m = new RegExp(`^- ${name}: (.*)$`, "m").exec(body);
  return m?.[1]?.replaceAll("`", "").trim();
}

function yamlBlock(body: string): string | undefined {
  return /```yaml\n([\s\S]*?)```/.exec(body)?.[1];
}

Deno.test("every config key has a section with its type, default and an example", () => {
  const docs = sections("Keys");
  const keys = documentedKeys();
  assert.ok(keys.length >= 30, `only ${keys.length} keys in the key table`);
  const missing = keys.filter((k) => !docs.has(k.heading)).map((k) => k.heading);
  assert.deepEqual(missing, [], "keys without a section in docs/configuration.md");
  for (const { heading, key, spec } of keys) {
    const body = docs.get(heading)!;
    assert.equal(field(body, "Type"), spec.type, `${heading}: type`);
    const fallback = spec.required ? "required" : "none";
    assert.equal(field(body, "Default"), spec.default ?? fallback, `${heading}: default`);
    assert.ok(field(body, "Constraints"), `${heading}: no constraints line`);
    const example = yamlBlock(body);
    assert.ok(example?.includes(`${key}:`), `${heading}: no example writing ${key}:`);
    parse(example!, { version: "1.1" });
  }
});

Deno.test("the reference documents no key the parser does not accept", () => {
  const known = new Set(documentedKeys().map((k) => k.heading));
  const stale = [...sections("Keys").keys()].filter((h) => !known.has(h));
  assert.deepEqual(stale, []);
});

Deno.test("every decoder of the registry has a section, and only those", () => {
  const docs = sections("Decoders");
  const names = Object.keys(DECODER_FACTORIES);
  assert.equal(names.length, 18);
  assert.deepEqual(
    names.filter((n) => !docs.has(`\`${n}\``)),
    [],
    "decoders without a section in docs/configuration.md",
  );
  assert.deepEqual([...docs.keys()].filter((h) => !names.includes(h.replaceAll("`", ""))), []);
  for (const [heading, body] of docs) {
    for (const f of ["Input", "Output", "Options"]) assert.ok(field(body, f), `${heading}: ${f}`);
  }
});

// The host the reference's decoder examples describe.
const HOST_TABLES = {
  kallsyms: ["ffffffff810f2d40 T hrtimer_wakeup", "ffffffff81234500 T __hrtimer_run_queues"],
  partitions: ["major minor  #blocks  name", "", "   8        0  488386584 sda"],
  interfaces: [[1, "lo"], [2, "eth0"]] as Array<[number, string]>,
  cgroups: [["/system.slice", 100], ["/system.slice/ssh.service", 1234]] as Array<
    [string, number]
  >,
};

const EXAMPLE = /^Example: bytes `([0-9a-f ]+)` → label `(".*")`$/m;

Deno.test("every decoder example gives the label the reference shows", () => {
  for (const [heading, body] of sections("Decoders")) {
    const name = heading.replaceAll("`", "");
    if (name === "syscall" && Deno.build.arch !== "x86_64") continue; // numbers differ by arch
    const m = EXAMPLE.exec(body);
    assert.ok(m, `${heading}: no "Example: bytes \`..\` → label \`".."\`" line`);
    const label = parse(yamlBlock(body)!) as {
      size: number;
      decoders: Array<Omit<DecoderConfig, "pos" | "allow_unknown"> & { allow_unknown?: boolean }>;
    };
    assert.ok(label.decoders.some((d) => d.name === name), `${heading}: example does not use it`);
    const bytes = Uint8Array.from(m[1]!.split(" "), (b) => parseInt(b, 16));
    assert.equal(bytes.length, label.size, `${heading}: example bytes differ from size`);
    const host = fakeHost(HOST_TABLES);
    let value: Uint8Array | null = bytes;
    for (const d of label.decoders) {
      const conf: DecoderConfig = {
        ...d,
        allow_unknown: d.allow_unknown ?? false,
        pos: { file: DOC, line: 0, key: heading },
      };
      value = DECODER_FACTORIES[d.name as keyof typeof DECODER_FACTORIES](conf, host)
        .decode(value!);
    }
    assert.equal(new TextDecoder().decode(value!), JSON.parse(m[2]!), heading);
  }
});

/** `exp2`, `linear` (multiplier 50) or `fixed`, `bucket_keys: [1, 3]` → a histogram config. */
function histogramConf(cell: string): HistogramConfig {
  const m = /^`(\w+)`(?: \(multiplier (\d+)\))?(?:, `bucket_keys: \[([\d, ]+)\]`)?$/.exec(cell);
  assert.ok(m, `cannot read bucket type cell ${cell}`);
  const pos = { file: DOC, line: 0, key: "histogram" };
  return {
    name: "h",
    help: "h",
    bucket_type: m[1] as BucketType,
    bucket_multiplier: Number(m[2] ?? 1),
    bucket_min: 0,
    bucket_max: 3,
    bucket_keys: m[3] ? m[3].split(",").map(Number) : [],
    labels: [{ name: "bucket", size: 8, padding: 0, decoders: [], pos }],
    pos,
  };
}

Deno.test("the histogram worked table is what the exporter folds", () => {
  const text = Deno.readTextFileSync(DOC);
  const counts = /map counts `\{([^}]*)\}`/.exec(text)?.[1];
  assert.ok(counts, "no worked example map");
  const rows = counts.split(",").map((pair) => {
    const [k, v] = pair.split(":").map((s) => s.trim());
    return { labels: [k!], value: Number(v) };
  });
  const lines = text.split("\n")
    .filter((l) => /^\| `(exp2|exp2zero|linear|fixed)`/.test(l) && l.includes("→"));
  assert.equal(lines.length, 4, "one worked row per bucket type");
  for (const line of lines) {
    const [type, les, count, sum] = line.split("|").slice(1, -1).map((c) => c.trim());
    const [h] = foldHistogram(rows, histogramConf(type!));
    assert.ok(h, String(type));
    const want = bucketPairs(h).map(([le, n]) => `\`${formatFloat(le)}\` → ${n}`);
    want.push(`\`+Inf\` → ${h.count}`);
    assert.equal(les, want.join(", "), String(type));
    assert.equal(Number(count), h.count, `${type} count`);
    assert.equal(Number(sum), h.sum, `${type} sum`);
  }
});

Deno.test("every built-in metric family is in the reference with its type and labels", () => {
  const text = Deno.readTextFileSync(DOC);
  const rows = new Map<string, { type: string; labels: string }>();
  for (const line of text.split("\n")) {
    const m = /^\| `((?:ebpf_exporter|promhttp|process)_\w+)` \| (\w+) \| ([^|]*) \|/.exec(line);
    if (m) rows.set(m[1]!, { type: m[2]!, labels: m[3]!.replaceAll("`", "").trim() });
  }
  const families = builtinFamilies({ configs: [], loaded: [], decoderErrors: new Map() }, []);
  assert.ok(families.length >= 5);
  for (const f of families) {
    const row = rows.get(f.name);
    assert.ok(row, `${f.name} is not in the built-in metrics table`);
    assert.equal(row.type, f.type, `${f.name} type`);
    assert.equal(row.labels, f.labelNames.join(", "), `${f.name} labels`);
  }
});
