/** ebpf_exporter: flags → configs → exporter → server; nothing else. */

import { openLibbpf, setLibbpfSink } from "./ffi/libbpf.ts";
import { isReadable, setThreadName } from "./ffi/libc.ts";
import { SystemdNotifier } from "./ffi/notify.ts";
import { parseCommandLine, parseListenAddress, usage, UsageError } from "./src/cli.ts";
import { loadConfigs, parseConfigNames } from "./src/config/load.ts";
import { CONTENT_TYPE_TEXT, encodeTextChunks } from "./src/encode/text.ts";
import { Exporter } from "./src/exporter/exporter.ts";
import { systemHost } from "./src/host/system.ts";
import { formatMapsJson, formatMapsText } from "./src/exporter/maps_dump.ts";
import { formatListing, inspectConfigs, programSections } from "./src/config_needs.ts";
import { hostFeatureStatus } from "./src/kernel_features.ts";
import { configureLog, debug, log } from "./src/log.ts";
import { serve } from "./src/server.ts";
import { BUILD_INFO } from "./src/version.ts";
import { applyKeep, CapabilityError, type KeepRequest, parseKeep } from "./src/capabilities.ts";
import {
  attachFailureHints,
  gatherHostFacts,
  loadFailureHints,
  preflightWarnings,
} from "./src/diagnose.ts";
import {
  checkEmbeddedNames,
  configSource,
  embeddedAssets,
  explainSandboxError,
  listConfigNames,
} from "./src/embedded.ts";

function versionText(libbpf: string): string {
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

function defaultConfigDir(): string {
  return new URL("./examples", import.meta.url).pathname;
}

async function main(argv: string[]): Promise<number> {
  let cmd;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`ebpf_exporter: error: ${e.message}, try --help`);
    return 1;
  }
  if (cmd.kind === "help") {
    console.log(usage());
    return 0;
  }
  if (cmd.kind === "version") {
    let libbpf = "not found";
    try {
      const i = openLibbpf();
      libbpf = `${i.version} (${i.source}: ${i.path})`;
    } catch (e) {
      libbpf = `not found (${(e as Error).message})`;
    }
    console.log(versionText(libbpf));
    return 0;
  }
  const assets = embeddedAssets();
  if (cmd.kind === "list") {
    const source = configSource(cmd.configDir, assets, defaultConfigDir());
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
  const flags = cmd.flags;
  configureLog({ timestamps: !flags.logNoTimestamps, debug: flags.debug });
  // The binary runs as "memfd:ebpf_exporter"; ps and top should show the exporter's name.
  if (assets !== null) setThreadName("ebpf_exporter");
  let keep: KeepRequest;
  try {
    keep = parseKeep(flags.capabilitiesKeep);
  } catch (e) {
    log((e as Error).message);
    return 1;
  }
  const notifier = new SystemdNotifier();
  const notify = (message: string) => {
    try {
      notifier.notify(message);
    } catch (e) {
      log((e as Error).message);
    }
  };

  const started = performance.now();
  notify("STATUS=parsing config...");
  let configs;
  let readObject: (path: string) => Uint8Array | null = () => null;
  try {
    const source = configSource(flags.configDir, assets, defaultConfigDir());
    const names = parseConfigNames(flags.configNames);
    if (source.embedded && assets !== null) checkEmbeddedNames(assets, names);
    configs = loadConfigs(source.dir, names, source.fs);
    readObject = source.readObject;
  } catch (e) {
    log(`Error parsing configs: ${(e as Error).message}`);
    return 1;
  }

  setLibbpfSink((level, msg) => {
    if (level === "debug") debug(`libbpf [debug]: ${msg}`);
    else log(`libbpf [${level}]: ${msg}`);
  });
  try {
    const lib = openLibbpf(flags.libbpfPath ?? undefined);
    log(`Using libbpf ${lib.version} (${lib.source}: ${lib.path})`);
  } catch (e) {
    log((e as Error).message);
    return 1;
  }

  const facts = gatherHostFacts();
  for (const warning of preflightWarnings(facts)) log(warning);

  if (flags.btfPath !== null && !isReadable(flags.btfPath)) {
    log(`Cannot use --btf.path: could not find BTF file "${flags.btfPath}"`);
    return 1;
  }

  const host = systemHost();
  if (flags.debug) log("Debug enabled, exporting raw maps on /maps");
  notify("STATUS=creating exporter...");
  let exporter: Exporter;
  try {
    exporter = new Exporter(configs, {
      host,
      skipCacheSize: flags.configSkipCacheSize,
      load: {
        ...(flags.btfPath !== null ? { btfPath: flags.btfPath } : {}),
        readObject,
        kernelAddresses: () => host.kallsyms(),
      },
    });
  } catch (e) {
    log((e as Error).message);
    return 1;
  }
  notify("STATUS=attaching configs...");
  try {
    exporter.attachAll();
  } catch (e) {
    const message = (e as Error).message;
    const hints = loadFailureHints(message, facts, flags.btfPath);
    log(hints.length > 0 ? `${message}; ${hints.join("; ")}` : message);
    return 1;
  }
  const attachHints = new Set<string>();
  for (const loaded of exporter.loaded) {
    for (const p of loaded.programs) {
      if (p.error === null) continue;
      for (const h of attachFailureHints(p.program.section, p.error, facts)) attachHints.add(h);
    }
  }
  for (const h of attachHints) log(`Some programs did not attach: ${h}`);
  log(
    `Started with ${configs.length} configs in ${Math.round(performance.now() - started)}ms`,
  );

  const missed = exporter.missedAttachments();
  if (flags.configStrict && missed.length > 0) {
    log(`Missed attachments (config:program): ${missed.join(", ")}`);
    exporter.close();
    return 1;
  }
  if (!flags.configCheck) {
    try {
      exporter.startEventReaders();
    } catch (e) {
      log((e as Error).message);
      exporter.close();
      return 1;
    }
  }
  // Privileged setup (attach, perf buffers, fanotify) is over: keep only what scrapes need.
  try {
    applyKeep(keep, log);
  } catch (e) {
    log(
      e instanceof CapabilityError
        ? e.message
        : `Cannot drop capabilities: ${(e as Error).message}`,
    );
    exporter.close();
    return 1;
  }
  if (flags.configCheck) {
    exporter.close();
    log("Config check successful, exiting");
    return 0;
  }

  const { hostname, port } = parseListenAddress(flags.listenAddress);
  const abort = new AbortController();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = serve({
      telemetryPath: flags.telemetryPath,
      metrics: async () => ({
        chunks: await exporter.collectWith((families) => encodeTextChunks(families)),
        contentType: CONTENT_TYPE_TEXT,
      }),
      ...(flags.debug
        ? {
          maps: async (json: boolean) => {
            const maps = await exporter.dumpMaps();
            return json
              ? { body: formatMapsJson(maps), contentType: "application/json", status: 200 }
              : {
                body: formatMapsText(maps),
                contentType: "text/plain; charset=utf-8",
                status: 200,
              };
          },
        }
        : {}),
    }, {
      hostname,
      port,
      signal: abort.signal,
      onListen: (addr) => {
        log(`Listening on ${addr.hostname}:${addr.port}`);
        notify(`STATUS=ready with ${configs.length} configs`);
        notify("READY=1");
      },
    });
  } catch (e) {
    log(`Cannot listen on "${flags.listenAddress}": ${(e as Error).message}`);
    exporter.close();
    return 1;
  }

  const done = new Promise<number>((resolve) => {
    const stop = (sig: Deno.Signal) => {
      log(`Received signal: ${sig}`);
      notify("STOPPING=1");
      const t0 = performance.now();
      exporter.close();
      log(`Detached in ${Math.round(performance.now() - t0)}ms`);
      abort.abort();
      resolve(0);
    };
    Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
    Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  });
  const code = await done;
  // In-flight requests get a moment; a stuck client must not hold the exit beyond a second.
  await Promise.race([server.finished, new Promise((r) => setTimeout(r, 500))]);
  return code;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    const sandbox = explainSandboxError(e);
    if (sandbox === null) throw e;
    console.error(`ebpf_exporter: error: ${sandbox}`);
    Deno.exit(1);
  }
}
