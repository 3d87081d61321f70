/**
 * Command-line mistakes as a user sees them: the exporter started from source prints exactly one
 * line on stderr, in our words, with no colour codes, and exits 1 before loading anything.
 */

import assert from "node:assert/strict";
import { permissionFlags } from "../src/permissions.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissionFlags("exporter"), MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const CASES: [string, string[], string][] = [
  [
    "an unknown flag names the closest one",
    ["--config.name=timers"],
    "ebpf_exporter: error: unknown flag --config.name (did you mean --config.names?), try --help",
  ],
  [
    "a port out of range",
    ["--config.names=timers", "--web.listen-address=:70000"],
    'ebpf_exporter: error: --web.listen-address port out of range in ":70000": ports go from 0 to 65535, try --help',
  ],
  [
    "a bad log level",
    ["--config.names=timers", "--log.level=verbose"],
    'ebpf_exporter: error: --log.level must be one of debug, info, warn, error, got "verbose", try --help',
  ],
  [
    "a value for a boolean flag",
    ["--config.names=timers", "--debug=yes"],
    'ebpf_exporter: error: flag --debug takes no value, got "--debug=yes", try --help',
  ],
  [
    "a flag without its value",
    ["--config.names"],
    "ebpf_exporter: error: flag --config.names needs a value, as in --config.names=VALUE, try --help",
  ],
];

for (const [what, args, line] of CASES) {
  Deno.test(`CLI error, ${what}: one clear line and exit 1`, async () => {
    const r = await run(args);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, line + "\n");
    assert.ok(!r.stderr.includes("\x1b"), "no colour codes");
  });
}
