/**
 * `--config.check`: parse every config, open each object with libbpf and validate the config
 * against its spec, then exit. Nothing is loaded or attached, so it needs no root and no
 * capabilities (libbpf's open only reads the ELF file). `--config.check-attach` is the full
 * start-up without serving (run.ts).
 */

import type { Flags } from "../cli.ts";
import type { Config } from "../config/types.ts";
import type { EmbeddedAssets } from "../embedded.ts";
import type { Host } from "../host/host.ts";
import { systemHost } from "../host/system.ts";
import { configKeyDecoders } from "../exporter/keys.ts";
import { type LoadOptions, openValidated } from "../exporter/loader.ts";
import { log } from "../log.ts";
import { configSpanDecoders } from "../tracing/span_reader.ts";
import { diagnoseHost, loadConfigPhase, openLibbpfPhase, phase } from "./startup.ts";

/** Runs the check; returns 0 when every config fits its object, else throws StartupError. */
export function checkConfigs(
  flags: Flags,
  assets: EmbeddedAssets | null,
  defaultConfigDir: string,
): number {
  const loaded = loadConfigPhase(flags, assets, defaultConfigDir);
  openLibbpfPhase(flags);
  diagnoseHost(flags);
  const opts: LoadOptions = {
    readObject: loaded.readObject,
    ...(flags.btfPath !== null ? { btfPath: flags.btfPath } : {}),
  };
  // One host for every config, as the exporter has: kallsyms is read and parsed once, not per
  // config that uses ksym or kstack.
  const host = systemHost();
  for (const config of loaded.configs) {
    checkConfig(config, opts, host, flags.configSkipCacheSize);
  }
  log("Config check successful, exiting");
  return 0;
}

// Decoders first, as the exporter builds them before it opens any object.
function checkConfig(config: Config, opts: LoadOptions, host: Host, skipCacheSize: number): void {
  phase(() => {
    configKeyDecoders(config, host, skipCacheSize);
    configSpanDecoders(config, host, () => {});
    openValidated(config, opts).object.close();
  });
}
