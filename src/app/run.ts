/**
 * The application lifecycle: parse the command line, run the one-shot commands, or start the
 * exporter phase by phase (startup.ts) with every resource on one AsyncDisposableStack
 * (resources.ts), serve until a signal, and release everything on whichever path ends the run.
 */

import { releaseFreedCMemory, setThreadName } from "../../ffi/libc.ts";
import { type Command, type Flags, parseCommandLine, UsageError } from "../cli.ts";
import { type EmbeddedAssets, embeddedAssets, explainSandboxError } from "../embedded.ts";
import { configureLog, error as logError, log } from "../log.ts";
import { printConfigList, printConfigSchema, printHelp, printVersion } from "./commands.ts";
import {
  listen,
  nextSignal,
  type Notify,
  ownExporter,
  readWebConfig,
  systemdNotify,
} from "./resources.ts";
import {
  attachPhase,
  checkStrict,
  createExporter,
  diagnoseHost,
  dropCapabilities,
  loadConfigPhase,
  type LoadedConfigs,
  openLibbpfPhase,
  readKeep,
  startEventReaders,
  startTracing,
  StartupError,
} from "./startup.ts";
import type { KeepRequest } from "../capabilities.ts";
import { checkConfigs } from "./config_check.ts";

/**
 * Runs the command line and resolves with the exit status. `defaultConfigDir` holds the
 * examples a source checkout loads when neither --config.dir nor embedded configs are given.
 */
export async function main(argv: string[], defaultConfigDir: string): Promise<number> {
  try {
    return await dispatch(argv, defaultConfigDir);
  } catch (e) {
    const sandbox = explainSandboxError(e);
    if (sandbox === null) throw e;
    console.error(`ebpf_exporter: error: ${sandbox}`);
    return 1;
  }
}

async function dispatch(argv: string[], defaultConfigDir: string): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`ebpf_exporter: error: ${e.message}, try --help`);
    return 1;
  }
  switch (cmd.kind) {
    case "help":
      return printHelp();
    case "version":
      return printVersion();
    case "schema":
      return printConfigSchema();
    case "list":
      return printConfigList(cmd.configDir, embeddedAssets(), defaultConfigDir);
    case "run":
      return await runExporter(cmd.flags, defaultConfigDir);
  }
}

/** Starts and serves; every path out of here disposes the run's resources in reverse order. */
async function runExporter(flags: Flags, defaultConfigDir: string): Promise<number> {
  const assets = embeddedAssets();
  configureLog({
    timestamps: !flags.logNoTimestamps,
    level: flags.debug ? "debug" : flags.logLevel,
    format: flags.logFormat,
  });
  // The binary runs as "memfd:ebpf_exporter"; ps and top should show the exporter's name.
  if (assets !== null) setThreadName("ebpf_exporter");
  await using stack = new AsyncDisposableStack();
  try {
    return await startAndServe(stack, flags, assets, defaultConfigDir);
  } catch (e) {
    if (!(e instanceof StartupError)) throw e;
    logError(e.message);
    return 1;
  }
}

async function startAndServe(
  stack: AsyncDisposableStack,
  flags: Flags,
  assets: EmbeddedAssets | null,
  defaultConfigDir: string,
): Promise<number> {
  const keep = readKeep(flags);
  const web = readWebConfig(flags);
  if (flags.configCheck) return checkConfigs(flags, assets, defaultConfigDir);
  const notify = systemdNotify();
  const started = performance.now();
  notify("STATUS=parsing config...");
  const loaded = loadConfigPhase(flags, assets, defaultConfigDir);
  openLibbpfPhase(flags);
  const facts = diagnoseHost(flags);
  notify("STATUS=creating exporter...");
  const exporter = ownExporter(stack, createExporter(flags, loaded));
  notify("STATUS=attaching configs...");
  attachPhase(exporter, facts, flags);
  log(
    `Started with ${loaded.configs.length} configs in ${Math.round(performance.now() - started)}ms`,
  );
  checkStrict(flags, exporter);
  if (flags.configCheckAttach) return finishConfigCheck(keep);
  startEventReaders(exporter);
  await startTracing(stack, exporter, assets);
  dropCapabilities(keep);
  await listen(stack, flags, exporter, (addr) => announceReady(addr, loaded, notify), web);
  return await waitForSignal(stack, notify);
}

/** --config.check-attach: everything loaded and attached; the stack detaches it again. */
function finishConfigCheck(keep: KeepRequest): number {
  dropCapabilities(keep);
  log("Config check successful, exiting");
  return 0;
}

function announceReady(addr: Deno.NetAddr, loaded: LoadedConfigs, notify: Notify): void {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  log(`Listening on ${host}:${addr.port}`);
  notify(`STATUS=ready with ${loaded.configs.length} configs`);
  notify("READY=1");
}

/**
 * One full collection, when the runtime allows it (the single binary passes --expose-gc): the
 * buffers start-up dropped are freed now, before malloc_trim, rather than at some later
 * collection that an idle exporter may never need.
 */
function collectStartupGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function waitForSignal(stack: AsyncDisposableStack, notify: Notify): Promise<number> {
  const signal = nextSignal(stack);
  // Start-up is over: what it freed on the C heap would otherwise stay resident while idle.
  // After the signal listeners exist, so a SIGTERM right after READY=1 still stops cleanly.
  collectStartupGarbage();
  releaseFreedCMemory();
  const sig = await signal;
  log(`Received signal: ${sig}`);
  notify("STOPPING=1");
  return 0;
}
