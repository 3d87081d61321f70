/**
 * deno.json's permission sets are the one list of what runs may do: the flags derived from them
 * are exact, and no task, Makefile rule, packer file, test or bench spells out its own list.
 */
import assert from "node:assert/strict";
import { launcherFlags, permissionFlags } from "../src/permissions.ts";
import { TRACING_ENV } from "../src/tracing/otel_env.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("the exporter set grants ffi, net, read and a fixed list of variables", () => {
  // The OTEL_* names span export reads, itself or through the OTLP exporters: 22, no more.
  assert.equal(TRACING_ENV.length, 22);
  assert.deepEqual(permissionFlags("exporter"), [
    "--allow-ffi",
    "--allow-net",
    "--allow-read",
    "--allow-env=EBPF_EXPORTER_LIBBPF,EBPF_EXPORTER_EMBEDDED_LIBBPF," +
    "EBPF_EXPORTER_EMBEDDED_FILES,EBPF_EXPORTER_EMBEDDED_THREADCAPS,EBPF_EXPORTER_PACKAGING," +
    "NOTIFY_SOCKET,LISTEN_FDS,LISTEN_PID,LISTEN_FDNAMES,LOG_TOKENS,LOG_STREAM," +
    TRACING_ENV.join(","),
  ]);
  assert.deepEqual(launcherFlags(), [
    "--allow-ffi",
    permissionFlags("exporter")[3],
  ]);
});

Deno.test("the test and bench sets add write and run; only tests get sys", () => {
  const base = ["--allow-ffi", "--allow-net", "--allow-read", "--allow-env"];
  assert.deepEqual(permissionFlags("bench"), [...base, "--allow-write", "--allow-run"]);
  assert.deepEqual(permissionFlags("test"), [
    ...base,
    "--allow-write",
    "--allow-run",
    "--allow-sys",
  ]);
});

/** Files that start Deno or the exporter and so must take their permissions from deno.json. */
function consumers(): URL[] {
  const files = ["Makefile", "pack/build.sh", "pack/launcher.c"].map((f) => new URL(f, ROOT));
  for (const dir of ["tests/", "bench/"]) files.push(...tsFiles(new URL(dir, ROOT)));
  return files;
}

function tsFiles(dir: URL): URL[] {
  const out: URL[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...tsFiles(u));
    else if (e.name.endsWith(".ts") && !u.pathname.endsWith("/tests/permissions_test.ts")) {
      out.push(u);
    }
  }
  return out;
}

Deno.test("no task, rule, packer file, test or bench grants --allow-ffi by itself", () => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const drifted = Object.entries(config.tasks as Record<string, string>)
    .filter(([, cmd]) => cmd.includes("--allow-")).map(([task]) => `deno.json task ${task}`);
  for (const file of consumers()) {
    const text = Deno.readTextFileSync(file);
    // Any list of the exporter's permissions includes ffi; in C it would be a string literal.
    if (/"--allow-ffi"|--allow-ffi --allow/.test(text)) drifted.push(file.pathname);
  }
  assert.deepEqual(drifted, []);
});
