/** What the HTTP server answers with, built from the exporter. */

import type { Flags } from "../cli.ts";
import { CONTENT_TYPE_TEXT } from "../encode/text.ts";
import { CONTENT_TYPE_PROTOBUF } from "../encode/protobuf.ts";
import type { Exporter } from "../exporter/exporter.ts";
import { formatMapsJson, formatMapsText } from "../exporter/maps_dump.ts";
import type { Routes } from "../server.ts";
import { statusReport } from "./status_report.ts";

/** The metrics route, the status page, readiness, plus the raw /maps dump with --debug. */
export function metricsRoutes(flags: Flags, exporter: Exporter): Routes {
  return {
    telemetryPath: flags.telemetryPath,
    metrics: async (accept) =>
      wantsProtobuf(accept)
        ? { chunks: await exporter.scrapeProtobuf(), contentType: CONTENT_TYPE_PROTOBUF }
        : { chunks: await exporter.scrapeText(), contentType: CONTENT_TYPE_TEXT },
    status: () => statusReport(flags, exporter),
    ready: () => exporter.readiness(flags.configStrict),
    ...(flags.debug ? { maps: (json: boolean) => dumpMaps(exporter, json) } : {}),
  };
}

/**
 * Whether an Accept header prefers Prometheus' delimited protobuf (what Prometheus asks for
 * first with native histograms on): it must be listed, for MetricFamily with delimited
 * encoding, with a q above 0 and no lower than any other entry's. Everything else gets the
 * text format. A stand-in until full content negotiation lands.
 */
export function wantsProtobuf(accept: string | null): boolean {
  if (accept === null) return false;
  let protobuf = 0;
  let others = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((p) => p.trim().toLowerCase());
    const param = (name: string) =>
      params.find((p) => p.startsWith(name + "="))?.slice(name.length + 1).replaceAll('"', "");
    const q = param("q") === undefined ? 1 : Number(param("q"));
    if (!(q >= 0 && q <= 1)) continue;
    const isProtobuf = type === "application/vnd.google.protobuf" &&
      param("proto") === "io.prometheus.client.metricfamily" && param("encoding") === "delimited";
    if (isProtobuf) protobuf = Math.max(protobuf, q);
    else if (type !== "") others = Math.max(others, q);
  }
  return protobuf > 0 && protobuf >= others;
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
