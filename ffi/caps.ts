/**
 * Reading and setting the process's capabilities (capget/capset, version 3 = 64-bit sets).
 * Linux keeps capabilities per thread, so setting them goes through ffi/threadcaps.c, which
 * applies one set to every thread; afterwards every thread's CapEff is checked from /proc.
 */

import { errno, libc, readDirViaLibc, tryReadFileViaLibc } from "./libc.ts";
import { ErrnoError, errnoText } from "./errno.ts";
import { CAP_DATA, CAP_HEADER } from "./structs.ts";

/** The three capability sets of a thread, one bit per capability number. */
export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

const VERSION_3 = 0x20080522;

function header(): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(CAP_HEADER.size);
  new DataView(h.buffer).setUint32(CAP_HEADER.fields.version, VERSION_3, true); // pid 0: this thread
  return h;
}

/** The calling thread's capability sets. */
export function getCapabilities(): CapSets {
  const data = new Uint8Array(2 * CAP_DATA.size);
  if (libc().capget(header(), data) !== 0) {
    const e = errno();
    throw new ErrnoError(`Cannot read capabilities: ${errnoText(e)}`, e);
  }
  const v = new DataView(data.buffer);
  const word = (i: number, field: keyof typeof CAP_DATA.fields) =>
    BigInt(v.getUint32(i * CAP_DATA.size + CAP_DATA.fields[field], true)) << BigInt(32 * i);
  return {
    effective: word(0, "effective") | word(1, "effective"),
    permitted: word(0, "permitted") | word(1, "permitted"),
    inheritable: word(0, "inheritable") | word(1, "inheritable"),
  };
}

function words(set: bigint): Uint32Array<ArrayBuffer> {
  return new Uint32Array([Number(set & 0xffffffffn), Number((set >> 32n) & 0xffffffffn)]);
}

const HELPER_SYMBOLS = {
  // int threadcaps_apply(const u32 eff[2], const u32 perm[2], const u32 inh[2])
  threadcaps_apply: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

// Opened once and never closed: its signal handler stays installed, and unmapping the library
// would crash a late signal.
let helper: Deno.DynamicLibrary<typeof HELPER_SYMBOLS> | null = null;

function helperPaths(): string[] {
  const out: string[] = [];
  const embedded = Deno.env.get("EBPF_EXPORTER_EMBEDDED_THREADCAPS");
  if (embedded) out.push(embedded);
  if (import.meta.url.startsWith("file:") && !import.meta.url.startsWith("file:///proc/")) {
    out.push(new URL("../build/native/libthreadcaps.so", import.meta.url).pathname);
  }
  return out;
}

/** Each live thread's effective set, from /proc/self/task/<tid>/status. */
export function threadEffectiveSets(): Map<number, bigint> {
  const out = new Map<number, bigint>();
  for (const entry of readDirViaLibc("/proc/self/task")) {
    const raw = tryReadFileViaLibc(`/proc/self/task/${entry.name}/status`);
    if (raw === null) continue; // the thread exited meanwhile
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(new TextDecoder().decode(raw));
    if (m) out.set(Number(entry.name), BigInt(`0x${m[1]}`));
  }
  return out;
}

/**
 * Sets the capabilities of every thread of the process. Throws when the kernel refuses (asking
 * for a capability the process lacks), when the helper library is missing, or when any thread
 * still has an effective capability outside `sets.effective` afterwards.
 */
export function setProcessCapabilities(sets: CapSets): { threads: number } {
  const errors: string[] = [];
  for (const path of helper === null ? helperPaths() : []) {
    try {
      helper = Deno.dlopen(path, HELPER_SYMBOLS);
      break;
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
    }
  }
  if (helper === null) {
    throw new Error(
      "Cannot change capabilities on every thread: the helper library libthreadcaps.so is " +
        `missing (run \`make native\`)${errors.length ? ` (${errors.join("; ")})` : ""}`,
    );
  }
  const r = helper.symbols.threadcaps_apply(
    words(sets.effective),
    words(sets.permitted),
    words(sets.inheritable),
  );
  if (r < 0) throw new ErrnoError(`Cannot set capabilities: ${errnoText(-r)}`, -r);
  const threads = r;
  const leaks: string[] = [];
  for (const [tid, eff] of threadEffectiveSets()) {
    if ((eff & ~sets.effective) !== 0n) leaks.push(`thread ${tid} CapEff ${eff.toString(16)}`);
  }
  if (leaks.length > 0) {
    throw new Error(`Cannot drop capabilities on every thread: ${leaks.join(", ")}`);
  }
  return { threads };
}

/** The effective set of the process's main thread (CapEff in /proc/self/status). */
export function processEffectiveSet(): bigint | null {
  const raw = tryReadFileViaLibc("/proc/self/status");
  if (raw === null) return null;
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(new TextDecoder().decode(raw));
  return m ? BigInt(`0x${m[1]}`) : null;
}
