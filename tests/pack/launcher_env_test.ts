/**
 * The launcher grants --allow-env for the fixed list of deno.json's "exporter" permission set;
 * every variable the app reads must be on it, or the binary would fail at the first read (it
 * never prompts).
 */
import assert from "node:assert/strict";
import { launcherFlags } from "../../src/permissions.ts";
import { TRACING_ENV } from "../../src/tracing/otel_env.ts";

const ROOT = new URL("../../", import.meta.url);

function allowedEnv(): string[] {
  const flag = launcherFlags().find((f) => f.startsWith("--allow-env="));
  assert.ok(flag, "the launcher's permissions grant no --allow-env list");
  return flag.slice("--allow-env=".length).split(",");
}

function sourceFiles(dir: URL): URL[] {
  const out: URL[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...sourceFiles(u));
    else if (e.name.endsWith(".ts")) out.push(u);
  }
  return out;
}

Deno.test("every environment variable the app reads is on the launcher's --allow-env list", () => {
  const allowed = allowedEnv();
  const read = new Set<string>(["LOG_TOKENS", "LOG_STREAM"]); // read by npm:yaml
  for (const v of TRACING_ENV) read.add(v); // read by span export and the OTLP exporters
  const files = [new URL("main.ts", ROOT), ...sourceFiles(new URL("src/", ROOT))];
  files.push(...sourceFiles(new URL("ffi/", ROOT)));
  for (const f of files) {
    const text = Deno.readTextFileSync(f);
    for (const m of text.matchAll(/Deno\.env\.get\("([A-Z0-9_]+)"\)/g)) read.add(m[1]!);
    for (const m of text.matchAll(/^\s+[a-z]+: "(EBPF_EXPORTER_[A-Z_]+)",$/gm)) read.add(m[1]!);
  }
  assert.ok(read.has("EBPF_EXPORTER_EMBEDDED_FILES"), "the manifest variable was not found");
  assert.deepEqual([...read].filter((v) => !allowed.includes(v)), []);
});

Deno.test("the launcher never grants blanket permissions or a prompt", () => {
  const c = Deno.readTextFileSync(new URL("pack/launcher.c", ROOT));
  assert.match(c, /"--no-prompt"/);
  assert.doesNotMatch(c, /"(-A|--allow-all|--allow-write|--allow-run|--allow-env|--allow-read)"/);
  // Only ffi and a list of variables; net and read are narrowed per run by the launcher itself.
  assert.deepEqual(launcherFlags().map((f) => f.replace(/^--allow-|=.*$/g, "")), ["ffi", "env"]);
});
