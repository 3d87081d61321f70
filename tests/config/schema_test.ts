/** The JSON Schema of configs: committed copy, --config.schema, examples and bad configs. */

import assert from "node:assert/strict";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { configSchema, configSchemaText } from "../../src/config/schema.ts";
import { CONFIG_SECTIONS, keysOf, type SectionId } from "../../src/config/keys.ts";
import { loadConfigs } from "../../src/config/load.ts";
import { memFs } from "./mem_fs.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SCHEMA_FILE = `${ROOT}schema/config.schema.json`;
const BAD = `${ROOT}tests/fixtures/bad/`;
// Categories whose cases are wrong in the YAML text itself (not in objects, names or bytes).
const CONFIG_TEXT_CATEGORIES = ["keys", "metric-names", "label-sizes", "decoders", "histograms"];

/**
 * Bad cases a schema cannot see, each for a reason JSON Schema cannot express: they need the
 * parser (RE2, decoder chains, sizes against decoders, sums, order, uniqueness by field).
 */
const NOT_SCHEMA_DETECTABLE: Readonly<Record<string, string>> = {
  "decoders/cgroup-id-map-bad-regexp": "RE2 syntax",
  "decoders/regexp-backreference": "RE2 syntax",
  "decoders/regexp-lookahead": "RE2 syntax",
  "decoders/chain-errno-first": "decoder chains",
  "decoders/chain-inet-ip-after-hex": "decoder chains",
  "decoders/chain-syscall-after-ksym": "decoder chains",
  "decoders/chain-uint-after-string": "decoder chains",
  "histograms/fixed-not-rising": "order of items",
  "histograms/linear-257-buckets": "bucket_max - bucket_min",
  "histograms/linear-max-2e9": "bucket_max - bucket_min",
  "histograms/min-equals-max": "bucket_max against bucket_min",
  "keys/flush-interval-tiny": "duration arithmetic",
  "label-sizes/inet-ip-size-8": "size against the first decoder",
  "label-sizes/key-size-mismatch": "the map's key size is in the object",
  "label-sizes/kstack-size-12": "size against the first decoder",
  "label-sizes/ksym-size-4": "size against the first decoder",
  "label-sizes/uint-size-3": "size against the first decoder",
  "metric-names/duplicate-label": "uniqueness by field",
  "metric-names/duplicate-metric": "uniqueness by field",
  "metric-names/le-label": "position of a label",
};

function validator(): ValidateFunction {
  // strictTypes is off because string keys take any scalar (the parser reads numbers and
  // booleans as their text), so `pattern` sits next to a union type on purpose.
  const ajv = new Ajv({
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
  });
  return ajv.compile(JSON.parse(Deno.readTextFileSync(SCHEMA_FILE)));
}

/** Reads YAML with YAML 1.1 rules, as upstream's go-yaml and our parser read configs. */
function readYaml(text: string): unknown {
  return parse(text, { version: "1.1", merge: true });
}

function problems(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
}

Deno.test("the committed schema equals the one generated from the key table", () => {
  assert.equal(
    Deno.readTextFileSync(SCHEMA_FILE),
    configSchemaText(),
    "schema/config.schema.json is stale: run " +
      "`deno run -P=exporter main.ts --config.schema > schema/config.schema.json`",
  );
});

Deno.test("--config.schema prints the committed schema and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=exporter", `${ROOT}main.ts`, "--config.schema"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout), Deno.readTextFileSync(SCHEMA_FILE));
});

Deno.test("every section of the schema allows exactly the keys the parser allows", () => {
  const schema = configSchema() as {
    properties: object;
    definitions: Record<string, { properties: object }>;
  };
  for (const id of Object.keys(CONFIG_SECTIONS) as SectionId[]) {
    const props = id === "config" ? schema.properties : schema.definitions[id]!.properties;
    assert.deepEqual(Object.keys(props), [...keysOf(id)], id);
  }
});

Deno.test("every example config and the tutorial's config are valid against the schema", () => {
  const v = validator();
  const files = [...Deno.readDirSync(`${ROOT}examples`)]
    .filter((e) => e.name.endsWith(".yaml"))
    .map((e) => `${ROOT}examples/${e.name}`);
  files.push(`${ROOT}docs/tutorial/first-metric.yaml`);
  assert.ok(files.length >= 20, `only ${files.length} configs found`);
  for (const file of files) {
    assert.ok(v(readYaml(Deno.readTextFileSync(file))), `${file}: ${problems(v)}`);
  }
});

Deno.test("the schema accepts what upstream's YAML 1.1 reading accepts", () => {
  const v = validator();
  const yaml = `metrics:
  counters:
    - name: 404_total
      help: 12
      perf_event_array: yes
      flush_interval: 60000000000
      labels:
        - name: op
          size: 0x4
          padding: 0_4
          decoders:
            - name: uint
            - name: static_map
              allow_unknown: on
              static_map: { 1: one, 0x2: 2, three: true }
  histograms:
    - name: h
      help: H
      bucket_type: fixed
      bucket_keys: [1, 10, 100]
      labels: [{ name: bucket, size: 8, decoders: [{ name: uint }] }]
`;
  // The parser must agree, or the schema would approve a config the exporter refuses.
  loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": yaml }));
  assert.ok(v(readYaml(yaml)), problems(v));
  for (const ok of ["0", "1h5m", "1.5s", "300ms", "2500us", "+10s"]) {
    const text = `metrics: { counters: [{ name: c, help: C, flush_interval: ${ok} }] }`;
    loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": text }));
    assert.ok(v(readYaml(text)), `${ok}: ${problems(v)}`);
  }
});

Deno.test("bad configs the schema can see fail it, and the list of those it cannot is exact", () => {
  const v = validator();
  let failed = 0;
  for (const category of CONFIG_TEXT_CATEGORIES) {
    for (const entry of Deno.readDirSync(`${BAD}${category}`)) {
      const id = `${category}/${entry.name}`;
      const doc = readYaml(Deno.readTextFileSync(`${BAD}${id}/t.yaml`));
      const valid = v(doc);
      if (id in NOT_SCHEMA_DETECTABLE) {
        // A schema that learned to see one of these should take it off the list.
        assert.ok(valid, `${id} now fails the schema: remove it from NOT_SCHEMA_DETECTABLE`);
      } else {
        assert.ok(!valid, `${id} passes the schema but the parser refuses it`);
        failed++;
      }
    }
  }
  assert.ok(failed >= 40, `only ${failed} bad configs failed the schema`);
});
