/** The one-shot commands that never load BPF: --help, --version, --config.list, --config.schema. */

import { openLibbpf } from "../../ffi/libbpf.ts";
import { usage } from "../cli.ts";
import { formatListing, inspectConfigs, programSections } from "../config_needs.ts";
import { configSource, type EmbeddedAssets, listConfigNames } from "../embedded.ts";
import { hostFeatureStatus } from "../kernel_features.ts";
import { BUILD_INFO } from "../version.ts";
import { configSchemaText } from "../config/schema.ts";

/** Prints the usage text; exit status 0. */
export function printHelp(): number {
  console.log(usage());
  return 0;
}

/** The --version text for a libbpf description (`1.5.0 (bundled: /path)` or why not found). */
export function versionText(libbpf: string): string {
  return [
    `ebpf_exporter, version ${BUILD_INFO.version} (branch: ${BUILD_INFO.branch}, revision: ${BUILD_INFO.revision})`,
    `  build date:       ${BUILD_INFO.buildDate}`,
    `  deno version:     ${Deno.version.deno} (v8 ${Deno.version.v8})`,
    `  libbpf version:   ${libbpf}`,
    ...(BUILD_INFO.libbpfSource ? [`  libbpf source:    ${BUILD_INFO.libbpfSource}`] : []),
    `  packaging:        ${BUILD_INFO.packaging ?? "source checkout"}`,
    `  platform:         ${Deno.build.os}/${Deno.build.arch}`,
  ].join("\n") + "\n";
}

/** Prints version information, including which libbpf would be used; exit status 0. */
export function printVersion(): number {
  let libbpf: string;
  try {
    const i = openLibbpf();
    libbpf = `${i.version} (${i.source}: ${i.path})`;
  } catch (e) {
    libbpf = `not found (${(e as Error).message})`;
  }
  console.log(versionText(libbpf));
  return 0;
}

/** Prints the configs of a directory (or the embedded ones) with what each needs of the kernel. */
export function printConfigList(
  configDir: string | null,
  assets: EmbeddedAssets | null,
  defaultConfigDir: string,
): number {
  const source = configSource(configDir, assets, defaultConfigDir);
  let names: string[];
  try {
    names = listConfigNames(source, assets);
  } catch (e) {
    console.error(`ebpf_exporter: error: cannot list configs: ${(e as Error).message}`);
    return 1;
  }
  let sections = (name: string) => programSections(source, name);
  try {
    openLibbpf();
  } catch (e) {
    // The names are still worth printing; each line then says why its needs are unknown.
    console.error(`ebpf_exporter: warning: cannot inspect configs: ${(e as Error).message}`);
    sections = () => {
      throw new Error("libbpf not found");
    };
  }
  for (const line of formatListing(inspectConfigs(names, sections), hostFeatureStatus)) {
    console.log(line);
  }
  return 0;
}

/** Prints the JSON Schema of config files (schema/config.schema.json); exit status 0. */
export function printConfigSchema(): number {
  // The text ends in a newline already; console.log would add a second one.
  let bytes = new TextEncoder().encode(configSchemaText());
  // A pipe may take only part of a write.
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
  return 0;
}
