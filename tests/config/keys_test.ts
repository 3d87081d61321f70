/** The key table is what the parser checks keys against, section by section. */

import assert from "node:assert/strict";
import { CONFIG_SECTIONS, keysOf, type SectionId } from "../../src/config/keys.ts";
import { loadConfigs } from "../../src/config/load.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { memFs } from "./mem_fs.ts";

// A config with every section; `#<id>` marks where a key of section <id> may be added.
const TEMPLATE = `kaddrs: [jiffies]
#config
cgroup_id_map:
  name: cg
  regexps: ["^/"]
  #cgroup_id_map
tracing:
  spans:
    - ringbuf: rb
      #span
      labels: [{ name: pid, size: 4, decoders: [{ name: uint }] }]
  #tracing
metrics:
  #metrics
  counters:
    - name: c_total
      help: C
      #counter
      labels:
        - name: op
          size: 4
          #label
          decoders:
            - name: uint
              #decoder
  histograms:
    - name: h
      help: H
      bucket_type: exp2
      bucket_max: 3
      #histogram
      labels: [{ name: bucket, size: 4, decoders: [{ name: uint }] }]
`;

function load(text: string) {
  return loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": text }));
}

Deno.test("the template config with every section is valid", () => {
  const [c] = load(TEMPLATE);
  assert.equal(c!.counters.length + c!.histograms.length + c!.spans.length, 3);
});

Deno.test("every section refuses an unknown key, listing the key table's keys", () => {
  for (const id of Object.keys(CONFIG_SECTIONS) as SectionId[]) {
    const marker = new RegExp(`^( *)#${id}$`, "m");
    assert.match(TEMPLATE, marker, `the template has no place for section ${id}`);
    const text = TEMPLATE.replace(marker, "$1not_a_key: 1");
    assert.throws(() => load(text), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.ok(
        e.message.endsWith(`unknown key "not_a_key", allowed keys are ${keysOf(id).join(", ")}`),
        `${id}: ${e.message}`,
      );
      return true;
    });
  }
});
