/** Config regexps are RE2, checked at load by the engine that later matches them. */

import assert from "node:assert/strict";
import { ConfigError, loadConfigs } from "../../src/config/load.ts";
import { memFs } from "./mem_fs.ts";

/** A config whose comm label ends in a regexp decoder, and a cgroup_id_map, with these patterns. */
function config(decoderPattern: string, cgroupPattern: string): string {
  return [
    "metrics:", // 1
    "  counters:", // 2
    "    - name: execs_total", // 3
    "      help: Execs", // 4
    "      labels:", // 5
    "        - name: comm", // 6
    "          size: 16", // 7
    "          decoders:", // 8
    "            - name: string", // 9
    "            - name: regexp", // 10
    "              regexps:", // 11
    `                - '${decoderPattern}'`, // 12
    "cgroup_id_map:", // 13
    "  name: ids", // 14
    "  regexps:", // 15
    `    - '${cgroupPattern}'`, // 16
    "",
  ].join("\n");
}

function load(text: string) {
  return loadConfigs("cfg", ["t"], memFs({ "cfg/t.yaml": text }));
}

Deno.test("config accepts RE2-only syntax in regexp decoders and cgroup_id_map", () => {
  const [c] = load(config("(?i)^(?P<name>[a-z]+)$", "\\Asystem\\.slice\\z"));
  assert.deepEqual(c!.counters[0]!.labels[0]!.decoders[1]!.regexps, [
    "(?i)^(?P<name>[a-z]+)$",
  ]);
  assert.deepEqual(c!.cgroupIdMap!.regexps, ["\\Asystem\\.slice\\z"]);
});

Deno.test("config rejects lookaround and backreferences naming file, line and key", () => {
  const cases: Array<[string, number, string]> = [
    [config("(?<=x)y", "a"), 12, "metrics.counters[0].labels[0].decoders[1].regexps[0]"],
    [config("a", "(a)\\1"), 16, "cgroup_id_map.regexps[0]"],
  ];
  for (const [text, line, key] of cases) {
    assert.throws(() => load(text), (e) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.deepEqual([e.file, e.line, e.key], ["cfg/t.yaml", line, key]);
      assert.match(e.message, /invalid regular expression .*: error parsing regexp: /);
      assert.match(e.message, /\(RE2 has no lookahead, lookbehind or backreferences\)$/);
      return true;
    });
  }
});
