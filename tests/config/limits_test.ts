/** Caps on what a config may ask for: alias expansion, merge depth, buckets, decoder chains. */

import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/parse.ts";
import { chainProblem, DECODER_SIGNATURES } from "../../src/config/decoder_chain.ts";
import { DECODER_NAMES, type DecoderName } from "../../src/config/decoder_names.ts";
import type { Config } from "../../src/config/types.ts";

function parse(text: string): Config {
  return parseConfig({ name: "t", file: "c/t.yaml", objectPath: "c/t.bpf.o", text });
}

// The options a decoder cannot do without, on one line so line numbers stay simple.
const OPTIONS: Record<string, string> = {
  static_map: ", static_map: {1: one}",
  regexp: ", regexps: ['.*']",
};

function label(size: number, decoders: string[]): string {
  return `        - name: x\n          size: ${size}\n          decoders:\n` +
    decoders.map((d) => `            - {name: ${d}${OPTIONS[d] ?? ""}}\n`).join("");
}

function counter(labels: string): string {
  return `metrics:\n  counters:\n    - name: c\n      help: h\n      labels:\n${labels}`;
}

function histogram(buckets: string): string {
  return `metrics:\n  histograms:\n    - name: h\n      help: h\n${buckets}      labels:\n` +
    label(8, ["uint"]);
}

Deno.test("aliases that multiply stop at the expansion cap, naming the file", () => {
  const lines = ["metrics:", "  counters:", "    - &a0 {name: c0, help: h}"];
  for (let i = 1; i < 10; i++) {
    const from = Array(4).fill(`*a${i - 1}`).join(", ");
    lines.push(`    - &a${i} {<<: [${from}], name: c${i}}`);
  }
  assert.throws(() => parse(lines.join("\n")), (e) => {
    assert.match(
      (e as Error).message,
      /^c\/t\.yaml:\d+: metrics\.counters\[\d+\][.<\[\]\d]*: aliases expand more than 10000 times; nested aliases and << merge keys must not multiply$/,
    );
    return true;
  });
});

Deno.test("merge keys may nest 16 deep, not 17", () => {
  const chain = (depth: number) => {
    const lines = ["metrics:", "  counters:", "    - &m0 {name: c0, help: h}"];
    for (let i = 1; i <= depth; i++) lines.push(`    - &m${i} {<<: *m${i - 1}, name: c${i}}`);
    return lines.join("\n");
  };
  assert.equal(parse(chain(16)).counters.length, 17);
  assert.throws(() => parse(chain(17)), (e) => {
    assert.ok((e as Error).message.endsWith(": << merge keys nest deeper than 16 levels"));
    return true;
  });
});

Deno.test("histograms may have 256 buckets, not 257", () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => i).join(", ");
  parse(histogram("      bucket_type: linear\n      bucket_min: 1\n      bucket_max: 256\n"));
  parse(histogram(`      bucket_type: fixed\n      bucket_keys: [${keys(256)}]\n`));
  assert.throws(
    () => parse(histogram("      bucket_type: linear\n      bucket_max: 256\n")),
    {
      message: "c/t.yaml:6: metrics.histograms[0].bucket_max: gives 257 buckets, at most 256 " +
        "are allowed (bucket_min 0 to bucket_max 256)",
    },
  );
  assert.throws(
    () => parse(histogram(`      bucket_type: fixed\n      bucket_keys: [${keys(257)}]\n`)),
    {
      message:
        "c/t.yaml:6: metrics.histograms[0].bucket_keys: gives 257 buckets, at most 256 are allowed",
    },
  );
});

Deno.test("exp2 bucket_max stops at 63 and exp2zero at 64 (a bound of 2^63)", () => {
  parse(histogram("      bucket_type: exp2\n      bucket_max: 63\n"));
  parse(histogram("      bucket_type: exp2zero\n      bucket_max: 64\n"));
  assert.throws(() => parse(histogram("      bucket_type: exp2\n      bucket_max: 64\n")), {
    message: "c/t.yaml:6: metrics.histograms[0].bucket_max: must be at most 63 for " +
      "bucket_type exp2 (its bound is then 2^63), got 64",
  });
});

Deno.test("the chains the examples use are accepted", () => {
  for (
    const chain of [
      ["uint"],
      ["uint", "static_map"],
      ["uint", "errno"],
      ["uint", "syscall"],
      ["uint", "cgroup"],
      ["uint", "pci_vendor"],
      ["string", "regexp"],
      ["ksym", "regexp"],
      ["static_map"],
      ["string", "static_map", "errno"],
      ["kstack"],
      ["inet_ip"],
      ["hex", "string"],
    ]
  ) {
    const size = chain[0] === "inet_ip" ? 16 : 8;
    parse(counter(label(size, chain)));
  }
});

Deno.test("a raw-byte decoder after another decoder is refused naming file, line and key", () => {
  assert.throws(() => parse(counter(label(8, ["uint", "static_map", "uint"]))), {
    message: 'c/t.yaml:11: metrics.counters[0].labels[0].decoders[2]: decoder "uint" reads ' +
      "the label's raw bytes, so it must be the first decoder; here it would get the text " +
      'decoder "static_map" writes',
  });
});

Deno.test("every raw-byte decoder must come first; lookups need digits, not names", () => {
  for (const name of DECODER_NAMES) {
    const input = DECODER_SIGNATURES[name].input.kind;
    for (const previous of DECODER_NAMES) {
      const problem = chainProblem({ name, previous });
      const output = DECODER_SIGNATURES[previous as DecoderName].output;
      const refused = input === "raw" || (input === "decimal" && output === "name");
      assert.equal(problem !== null, refused, `${previous} → ${name}: ${problem}`);
    }
    assert.equal(chainProblem({ name, previous: null }) !== null, input === "decimal", name);
  }
});

Deno.test("thousands of aliases resolve with one walk of the document", () => {
  // yaml's own Alias.resolve walks the document per alias: this took about two minutes.
  const labels = Array.from(
    { length: 4900 },
    (_, i) => `        - {name: x${i}, size: *one, decoders: *dec}\n`,
  );
  const config = parse(
    "metrics:\n  counters:\n    - name: c\n      help: h\n      labels:\n" +
      "        - {name: first, size: &one 1, decoders: &dec [{name: uint}]}\n" + labels.join(""),
  );
  assert.equal(config.counters[0]!.labels.length, 4901);
  assert.equal(config.counters[0]!.labels[4900]!.size, 1);
});
