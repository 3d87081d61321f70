/** What the HTTP server answers with, built from the exporter. */

import type { Flags } from "../cli.ts";
import { CONTENT_TYPES, negotiate } from "../encode/negotiate.ts";
import type { Exporter } from "../exporter/exporter.ts";
import { formatMapsJson, formatMapsText } from "../exporter/maps_dump.ts";
import type { Routes } from "../server.ts";
import { statusReport } from "./status_report.ts";

/** The metrics route in the negotiated format, the status page, readiness, plus the raw /maps dump
 * with --debug. */
export function metricsRoutes(flags: Flags, exporter: Exporter): Routes {
  return {
    telemetryPath: flags.telemetryPath,
    metrics: async (accept) => {
      const format = negotiate(accept, exporter.formats);
      return { chunks: await exporter.scrape(format), contentType: CONTENT_TYPES[format] };
    },
    onMetricsResponse: (status) => exporter.countRequest(status),
    status: () => statusReport(flags, exporter),
    ready: () => exporter.readiness(flags.configStrict),
    ...(flags.debug ? { maps: (json: boolean) => dumpMaps(exporter, json) } : {}),
  };
}

async function dumpMaps(
  exporter: Exporter,
  json: boolean,
): Promise<{ body: string; contentType: string; status: number }> {
  const maps = await exporter.dumpMaps();
  return json
    ? { body: formatMapsJson(maps), contentType: "application/json", status: 200 }
    : { body: formatMapsText(maps), contentType: "text/plain; charset=utf-8", status: 200 };
}
