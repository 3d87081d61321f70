/**
 * Loads src/tracing/otel.ts (the OpenTelemetry SDK and the node: modules its exporters import)
 * when a config has spans, and never otherwise. The single binary carries it as a bundle of its
 * own (`tracing.js`, see pack/build.sh): bundled into the main file, its node: imports were
 * hoisted to the top and evaluated at every start. From sources it is imported by a computed
 * specifier, which a bundler leaves alone.
 */

import { readFileViaLibc } from "../../ffi/libc.ts";
import type { EmbeddedAssets } from "../embedded.ts";

/** What src/tracing/otel.ts exports. */
export type OtelModule = typeof import("./otel.ts");

/** The embedded file name of the tracing bundle in EBPF_EXPORTER_EMBEDDED_FILES. */
export const TRACING_BUNDLE = "tracing.js";

/** Where the module comes from: the binary's embedded bundle, or the source file. */
export function otelSpecifier(assets: EmbeddedAssets | null): { embedded: string } | {
  source: string;
} {
  const path = assets?.files.get(TRACING_BUNDLE);
  if (path !== undefined) return { embedded: path };
  return { source: new URL("./otel.ts", import.meta.url).href };
}

/**
 * Imports the tracing module. An embedded bundle is read through libc (the binary may not read
 * /proc/self/fd paths through Deno) and imported from a blob URL, so no read permission is needed.
 */
export async function loadOtel(
  assets: EmbeddedAssets | null,
  read: (path: string) => Uint8Array<ArrayBuffer> = readFileViaLibc,
): Promise<OtelModule> {
  const where = otelSpecifier(assets);
  if ("source" in where) return await import(where.source);
  const url = URL.createObjectURL(new Blob([read(where.embedded)], { type: "text/javascript" }));
  try {
    return await import(url);
  } finally {
    URL.revokeObjectURL(url);
  }
}
