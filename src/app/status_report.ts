/** Builds the status page's report from the exporter and the host, fresh on each request. */

import { getCapabilities } from "../../ffi/caps.ts";
import { openLibbpf } from "../../ffi/libbpf.ts";
import { tryReadFileViaLibc } from "../../ffi/libc.ts";
import type { Flags } from "../cli.ts";
import { formatCapabilities } from "../capabilities.ts";
import { bpfStatsEnabled } from "../exporter/builtins.ts";
import type { Exporter } from "../exporter/exporter.ts";
import type { StatusReport } from "../status_page.ts";
import { BUILD_INFO } from "../version.ts";

/** The full report: build, libbpf, kernel, capabilities held now, and every config's status. */
export function statusReport(flags: Flags, exporter: Exporter): StatusReport {
  return {
    version: BUILD_INFO.version,
    revision: BUILD_INFO.revision,
    runtime: `deno ${Deno.version.deno} (v8 ${Deno.version.v8})`,
    libbpf: libbpfDescription(flags),
    kernel: kernelRelease(),
    capabilities: currentCapabilities(),
    bpfStats: bpfStatsEnabled(),
    telemetryPath: flags.telemetryPath,
    mapsPath: flags.debug ? "/maps" : null,
    ready: exporter.readiness(flags.configStrict),
    configs: exporter.status(),
    generatedAt: new Date().toISOString(),
  };
}

function libbpfDescription(flags: Flags): string | null {
  try {
    // Opened at start-up already; this returns the cached description.
    const lib = openLibbpf(flags.libbpfPath ?? undefined);
    return `${lib.version} (${lib.source}: ${lib.path})`;
  } catch {
    return null;
  }
}

function kernelRelease(): string | null {
  const raw = tryReadFileViaLibc("/proc/sys/kernel/osrelease");
  return raw === null ? null : new TextDecoder().decode(raw).trim();
}

function currentCapabilities(): string | null {
  try {
    return formatCapabilities(getCapabilities());
  } catch {
    return null;
  }
}
