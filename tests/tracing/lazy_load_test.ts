/**
 * The OpenTelemetry SDK is loaded only when some config has spans: no module but
 * src/tracing/otel.ts imports it, and every other module reaches otel.ts through `import type`
 * or src/tracing/load.ts (a computed dynamic import, or the single binary's tracing bundle).
 */

import assert from "node:assert/strict";

const SRC = new URL("../../src/", import.meta.url);

function modules(dir: URL): URL[] {
  const out: URL[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...modules(u));
    else if (e.name.endsWith(".ts")) out.push(u);
  }
  return out;
}

Deno.test("only src/tracing/otel.ts imports the SDK, and nothing imports it eagerly", () => {
  const eager: string[] = [];
  for (const file of modules(SRC)) {
    const name = file.pathname.slice(SRC.pathname.length);
    const text = Deno.readTextFileSync(file);
    // Static imports and re-exports: `import x from "..."`, `export ... from "..."`.
    for (const m of text.matchAll(/^(import|export)(?! type)[^;]*?from "([^"]+)"/gms)) {
      const spec = m[2]!;
      if (name !== "tracing/otel.ts" && spec.startsWith("@opentelemetry/")) {
        eager.push(`${name}: ${spec}`);
      }
      if (/(^|\/)otel\.ts$/.test(spec)) eager.push(`${name}: ${spec}`);
    }
  }
  assert.deepEqual(eager, []);
  // The one way in: start-up's loadOtel, which imports by a computed specifier (a bundler
  // leaves that out of app.js) or from the binary's separate tracing bundle.
  assert.match(Deno.readTextFileSync(new URL("app/startup.ts", SRC)), /await loadOtel\(assets\)/);
  assert.match(
    Deno.readTextFileSync(new URL("tracing/load.ts", SRC)),
    /new URL\("\.\/otel\.ts", import\.meta\.url\)/,
  );
});
