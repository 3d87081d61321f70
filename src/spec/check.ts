/**
 * `--config.check`: parse every config, open each object with libbpf and validate the config
 * against its spec, then exit. Nothing is loaded or attached, so it needs no root and no
 * capabilities (libbpf's open only reads the ELF file).
 */

import { openLibbpf, setLibbpfSink } from "../../ffi/libbpf.ts";
import { isReadable } from "../../ffi/libc.ts";
import type { Flags } from "../cli.ts";
import { loadConfigs, parseConfigNames } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { checkEmbeddedNames, configSource, type EmbeddedAssets } from "../embedded.ts";
import { hostDecoderContext } from "../exporter/host.ts";
import { configKeyDecoders } from "../exporter/keys.ts";
import { type LoadOptions, openValidated } from "../exporter/loader.ts";
import { debug, log } from "../log.ts";

/** Runs the check and logs its outcome; returns the exit code (0 when every config fits). */
export function checkConfigs(
  flags: Flags,
  assets: EmbeddedAssets | null,
  defaultConfigDir: string,
): number {
  let configs: Config[];
  let opts: LoadOptions;
  try {
    const source = configSource(flags.configDir, assets, defaultConfigDir);
    const names = parseConfigNames(flags.configNames);
    if (source.embedded && assets !== null) checkEmbeddedNames(assets, names);
    configs = loadConfigs(source.dir, names, source.fs);
    opts = { readObject: source.readObject };
  } catch (e) {
    log(`Error parsing configs: ${(e as Error).message}`);
    return 1;
  }
  try {
    checkFlags(flags);
    if (flags.btfPath !== null) opts.btfPath = flags.btfPath;
    setLibbpfSink((level, msg) => (level === "debug" ? debug : log)(`libbpf [${level}]: ${msg}`));
    openLibbpf(flags.libbpfPath ?? undefined);
    for (const config of configs) checkConfig(config, opts, flags.configSkipCacheSize);
  } catch (e) {
    log((e as Error).message);
    return 1;
  }
  log("Config check successful, exiting");
  return 0;
}

function checkFlags(flags: Flags): void {
  if (flags.btfPath !== null && !isReadable(flags.btfPath)) {
    throw new Error(`Cannot use --btf.path: could not find BTF file "${flags.btfPath}"`);
  }
}

// Decoders first, as the exporter builds them before it opens any object.
function checkConfig(config: Config, opts: LoadOptions, skipCacheSize: number): void {
  configKeyDecoders(config, hostDecoderContext(), skipCacheSize);
  openValidated(config, opts).object.close();
}
