/**
 * Finds and opens libbpf: an explicit path (flag or EBPF_EXPORTER_LIBBPF), then the bundled
 * build next to the sources, then the system's libbpf.so.1. Says which one it loaded.
 */

import { LIBBPF_SYMBOLS } from "./symbols.ts";
import { cString, libc } from "./libc.ts";
import { ErrnoError } from "./errno.ts";

export type Libbpf = Deno.DynamicLibrary<typeof LIBBPF_SYMBOLS>;

/** Which library was opened and how it was found. */
export interface LibbpfInfo {
  path: string;
  source: "flag" | "env" | "embedded" | "bundled" | "system";
  version: string;
}

/** Log levels libbpf passes to its print callback. */
export type LibbpfLevel = "warn" | "info" | "debug";
type PrintSink = (level: LibbpfLevel, message: string) => void;

let lib: Libbpf | null = null;
let info: LibbpfInfo | null = null;
let sink: PrintSink = () => {};
let printCallback:
  | Deno.UnsafeCallback<
    { readonly parameters: readonly ["i32", "pointer", "pointer"]; readonly result: "i32" }
  >
  | null = null;
const printBuf = new Uint8Array(4096);
const textDecoder = new TextDecoder();

function candidates(explicit?: string): Array<[string, LibbpfInfo["source"]]> {
  const out: Array<[string, LibbpfInfo["source"]]> = [];
  if (explicit) out.push([explicit, "flag"]);
  const env = Deno.env.get("EBPF_EXPORTER_LIBBPF");
  if (env) out.push([env, "env"]);
  const embedded = Deno.env.get("EBPF_EXPORTER_EMBEDDED_LIBBPF");
  if (embedded) out.push([embedded, "embedded"]);
  if (import.meta.url.startsWith("file:")) {
    out.push([new URL("../build/libbpf/libbpf_bundle.so", import.meta.url).pathname, "bundled"]);
  }
  out.push(["libbpf.so.1", "system"]);
  return out;
}

/** Opens libbpf once (later calls return the same binding) and routes its log to `setLibbpfSink`. */
export function openLibbpf(explicitPath?: string): LibbpfInfo {
  if (lib !== null && info !== null) return info;
  const errors: string[] = [];
  for (const [path, source] of candidates(explicitPath)) {
    try {
      lib = Deno.dlopen(path, LIBBPF_SYMBOLS);
    } catch (e) {
      // An explicitly named library that fails to open is an error, not a reason to fall back.
      if (source === "flag" || source === "env") {
        throw new Error(`Cannot open libbpf "${path}": ${(e as Error).message}`, { cause: e });
      }
      errors.push(`${path}: ${(e as Error).message}`);
      continue;
    }
    const s = lib.symbols;
    const major = s.libbpf_major_version();
    if (major !== 1) {
      lib.close();
      lib = null;
      throw new Error(`Cannot use libbpf "${path}": version ${major}.x is not supported, need 1.x`);
    }
    info = { path, source, version: `${major}.${s.libbpf_minor_version()}` };
    installPrint(lib);
    registerSections(lib);
    return info;
  }
  throw new Error(`Cannot find libbpf: ${errors.join("; ")}`);
}

function installPrint(l: Libbpf): void {
  printCallback = new Deno.UnsafeCallback(
    { parameters: ["i32", "pointer", "pointer"], result: "i32" } as const,
    (level, fmt, args) => {
      // libbpf calls back synchronously on this thread, so formatting with the caller's
      // va_list through vsnprintf is safe here.
      const n = libc().vsnprintf(printBuf, BigInt(printBuf.length), fmt, args);
      const len = Math.max(0, Math.min(n, printBuf.length - 1));
      const msg = textDecoder.decode(printBuf.subarray(0, len)).replace(/\n+$/, "");
      sink(level === 0 ? "warn" : level === 1 ? "info" : "debug", msg);
      return n;
    },
  );
  l.symbols.libbpf_set_print(printCallback.pointer);
}

// Program types for the exporter's own section prefixes; libbpf has no rule for either form.
const BPF_PROG_TYPE_XDP = 6;
const BPF_PROG_TYPE_PERF_EVENT = 7;
const BPF_XDP = 37;

function registerSections(l: Libbpf): void {
  // No attach callback: the exporter attaches these itself (one link per CPU, or by ifname).
  const sections: Array<[string, number, number]> = [
    ["perf_event/", BPF_PROG_TYPE_PERF_EVENT, 0],
    ["xdp/", BPF_PROG_TYPE_XDP, BPF_XDP],
  ];
  for (const [sec, type, attach] of sections) {
    const r = l.symbols.libbpf_register_prog_handler(cString(sec), type, attach, null);
    if (r < 0) {
      throw new ErrnoError(`Cannot register section handler "${sec}": ${libbpfStrerror(r)}`, r);
    }
  }
}

/** Sets where libbpf's own log lines go. */
export function setLibbpfSink(fn: PrintSink): void {
  sink = fn;
}

/** The opened binding; throws when openLibbpf has not run. */
export function bpf(): Libbpf["symbols"] {
  if (lib === null) openLibbpf();
  return lib!.symbols;
}

/** Libbpf's text for a negative error code. */
export function libbpfStrerror(err: number): string {
  const buf = new Uint8Array(256);
  bpf().libbpf_strerror(err, buf, BigInt(buf.length));
  const end = buf.indexOf(0);
  return textDecoder.decode(buf.subarray(0, end < 0 ? buf.length : end));
}
