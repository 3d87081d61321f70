import assert from "node:assert/strict";
import { checkAcrossConfigs, ConfigError, loadConfigs } from "../../src/config/load.ts";
import { memFs } from "./mem_fs.ts";

const COUNTER = (help: string, labels: string[]) =>
  `metrics:
  counters:
    - name: shared_total
      help: ${help}
      labels:
${labels.map((l) => `        - {name: ${l}, size: 4, decoders: [{name: uint}]}`).join("\n")}
`;

const HISTOGRAM = (help: string, labels: string[]) =>
  `metrics:
  histograms:
    - name: shared_total
      help: ${help}
      bucket_type: exp2
      bucket_max: 3
      labels:
${labels.map((l) => `        - {name: ${l}, size: 4, decoders: [{name: uint}]}`).join("\n")}
`;

function loadPair(a: string, b: string) {
  return loadConfigs("cfg", ["a", "b"], memFs({ "cfg/a.yaml": a, "cfg/b.yaml": b }));
}

function expectClash(a: string, b: string, detail: string) {
  assert.throws(() => loadPair(a, b), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual([e.file, e.line, e.key], ["cfg/b.yaml", 3, "metrics.counters[0]"]);
    assert.equal(e.message, `cfg/b.yaml:3: metrics.counters[0]: ${detail} in cfg/a.yaml:3`);
    return true;
  });
}

Deno.test("one metric with the same help and labels in two configs is allowed", () => {
  const configs = loadPair(COUNTER("Shared", ["cpu"]), COUNTER("Shared", ["cpu"]));
  assert.equal(configs.length, 2);
});

Deno.test("one metric with different label names in two configs names both files", () => {
  expectClash(
    COUNTER("Shared", ["cpu"]),
    COUNTER("Shared", ["cpu", "vector"]),
    'metric "shared_total" has labels ["cpu", "vector"] here but ["cpu"]',
  );
});

Deno.test("one metric with different help in two configs names both files", () => {
  expectClash(
    COUNTER("Shared", ["cpu"]),
    COUNTER("Other", ["cpu"]),
    'metric "shared_total" has help "Other" here but "Shared"',
  );
});

Deno.test("one metric name as a histogram and a counter in two configs names both files", () => {
  expectClash(
    HISTOGRAM("Shared", ["cpu", "bucket"]),
    COUNTER("Shared", ["cpu"]),
    'metric "shared_total" is a counter here but a histogram',
  );
});

Deno.test("a histogram's bucket label name does not count as one of its labels", () => {
  const configs = loadPair(
    HISTOGRAM("Shared", ["cpu", "bucket"]),
    HISTOGRAM("Shared", ["cpu", "slot"]),
  );
  assert.equal(configs.length, 2);
});

Deno.test("checkAcrossConfigs accepts configs that share nothing", () => {
  const configs = loadConfigs(
    "cfg",
    ["a"],
    memFs({ "cfg/a.yaml": COUNTER("Shared", ["cpu"]) }),
  );
  assert.doesNotThrow(() => checkAcrossConfigs([...configs, { ...configs[0]!, counters: [] }]));
});
