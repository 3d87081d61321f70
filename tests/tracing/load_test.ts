import assert from "node:assert/strict";
import { loadOtel, otelSpecifier, TRACING_BUNDLE } from "../../src/tracing/load.ts";
import type { EmbeddedAssets } from "../../src/embedded.ts";

const embedded = (files: Array<[string, string]>): EmbeddedAssets => ({
  packaging: "launcher",
  files: new Map(files),
});

Deno.test("the tracing module comes from the binary's bundle when it carries one", () => {
  assert.deepEqual(otelSpecifier(embedded([[TRACING_BUNDLE, "/proc/self/fd/9"]])), {
    embedded: "/proc/self/fd/9",
  });
  const source = new URL("../../src/tracing/otel.ts", import.meta.url).href;
  assert.deepEqual(otelSpecifier(null), { source });
  // A binary without the bundle (only configs embedded) falls back to the source file.
  assert.deepEqual(otelSpecifier(embedded([["timers.yaml", "/proc/self/fd/7"]])), { source });
});

Deno.test("an embedded tracing bundle is read from its path and imported as a module", async () => {
  const reads: string[] = [];
  const code = "export const createSpanSink = () => 'from the bundle';\nexport const n = 7;\n";
  const m = await loadOtel(embedded([[TRACING_BUNDLE, "/proc/self/fd/9"]]), (path) => {
    reads.push(path);
    return new TextEncoder().encode(code);
  }) as unknown as { createSpanSink: () => string; n: number };
  assert.deepEqual(reads, ["/proc/self/fd/9"]);
  assert.equal(m.createSpanSink(), "from the bundle");
  assert.equal(m.n, 7);
});

Deno.test("from sources the tracing module is src/tracing/otel.ts itself", async () => {
  const m = await loadOtel(null, () => {
    throw new Error("nothing is read from disk through libc");
  });
  const direct = await import("../../src/tracing/otel.ts");
  assert.equal(m.createSpanSink, direct.createSpanSink);
});
