/**
 * `--capabilities.keep`: which capabilities survive after attach (upstream section 1.6), their
 * names, the libcap-like text the log uses, and the drop itself (through ffi/caps.ts).
 */

import { getCapabilities, setProcessCapabilities } from "../ffi/caps.ts";

/** Capability names by number (linux/capability.h), lower case as libcap writes them. */
export const CAPABILITY_NAMES: readonly string[] = [
  "cap_chown",
  "cap_dac_override",
  "cap_dac_read_search",
  "cap_fowner",
  "cap_fsetid",
  "cap_kill",
  "cap_setgid",
  "cap_setuid",
  "cap_setpcap",
  "cap_linux_immutable",
  "cap_net_bind_service",
  "cap_net_broadcast",
  "cap_net_admin",
  "cap_net_raw",
  "cap_ipc_lock",
  "cap_ipc_owner",
  "cap_sys_module",
  "cap_sys_rawio",
  "cap_sys_chroot",
  "cap_sys_ptrace",
  "cap_sys_pacct",
  "cap_sys_admin",
  "cap_sys_boot",
  "cap_sys_nice",
  "cap_sys_resource",
  "cap_sys_time",
  "cap_sys_tty_config",
  "cap_mknod",
  "cap_lease",
  "cap_audit_write",
  "cap_audit_control",
  "cap_setfcap",
  "cap_mac_override",
  "cap_mac_admin",
  "cap_syslog",
  "cap_wake_alarm",
  "cap_block_suspend",
  "cap_audit_read",
  "cap_perfmon",
  "cap_bpf",
  "cap_checkpoint_restore",
];

/** Bit numbers of the capabilities the startup checks look at. */
export const CAP = {
  SYS_ADMIN: 21,
  SYSLOG: 34,
  PERFMON: 38,
  BPF: 39,
} as const;

/** What `--capabilities.keep` asks for: keep everything, or exactly this set. */
export type KeepRequest = { kind: "all" } | { kind: "set"; mask: bigint };

/** A bad `--capabilities.keep` value; main prints it and exits 1. */
export class CapabilityError extends Error {
  override name = "CapabilityError";
}

/** Parses `all`, `none` or a comma list of names (`cap_bpf`, `CAP_BPF` and `bpf` all work). */
export function parseKeep(value: string): KeepRequest {
  const v = value.trim().toLowerCase();
  if (v === "all") return { kind: "all" };
  if (v === "none") return { kind: "set", mask: 0n };
  let mask = 0n;
  for (const part of value.split(",")) {
    const raw = part.trim();
    const name = raw.toLowerCase();
    const bit = CAPABILITY_NAMES.indexOf(name.startsWith("cap_") ? name : `cap_${name}`);
    if (raw === "" || bit < 0) {
      throw new CapabilityError(
        `Cannot use --capabilities.keep ${JSON.stringify(value)}: unknown capability ` +
          `${JSON.stringify(raw)} (use all, none or names like cap_bpf,cap_perfmon)`,
      );
    }
    mask |= 1n << BigInt(bit);
  }
  return { kind: "set", mask };
}

/** Names of the capabilities in `mask`, in number order (unknown bits as `cap_<n>`). */
export function capabilityNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) out.push(CAPABILITY_NAMES[bit] ?? `cap_${bit}`);
  }
  return out;
}

const ALL_KNOWN = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;

/**
 * libcap-style text of effective/permitted/inheritable sets: `=` for none, `=ep` for all,
 * `cap_bpf,cap_perfmon=ep`, or `=ep cap_sys_resource-ep` for "all but".
 */
export function formatCapabilities(
  sets: { effective: bigint; permitted: bigint; inheritable: bigint },
): string {
  const flagsOf = (bit: bigint): string =>
    ((sets.effective >> bit) & 1n ? "e" : "") + ((sets.inheritable >> bit) & 1n ? "i" : "") +
    ((sets.permitted >> bit) & 1n ? "p" : "");
  const groups = new Map<string, string[]>();
  let most = "";
  let mostCount = 0;
  for (let i = 0; i < CAPABILITY_NAMES.length; i++) {
    const flags = flagsOf(BigInt(i));
    const list = groups.get(flags) ?? [];
    list.push(CAPABILITY_NAMES[i]!);
    groups.set(flags, list);
    if (flags !== "" && list.length > mostCount) {
      most = flags;
      mostCount = list.length;
    }
  }
  const parts: string[] = [];
  // Mostly-full sets read better as "everything, minus these".
  if (mostCount > CAPABILITY_NAMES.length / 2) {
    parts.push(`=${most}`);
    for (const [flags, names] of groups) {
      if (flags === most) continue;
      const lost = [...most].filter((f) => !flags.includes(f)).join("");
      const gained = [...flags].filter((f) => !most.includes(f)).join("");
      parts.push(`${names.join(",")}${lost ? `-${lost}` : ""}${gained ? `+${gained}` : ""}`);
    }
  } else {
    for (const [flags, names] of groups) {
      if (flags !== "") parts.push(`${names.join(",")}=${flags}`);
    }
    if (parts.length === 0) parts.push("=");
  }
  return parts.join(" ");
}

/** The sets to apply for a keep mask: permitted and effective exactly the mask, nothing else. */
export function keptSets(
  mask: bigint,
): { effective: bigint; permitted: bigint; inheritable: bigint } {
  return { effective: mask & ALL_KNOWN, permitted: mask & ALL_KNOWN, inheritable: 0n };
}

/**
 * Logs the capabilities the process started with, then keeps only the requested ones on every
 * thread (upstream's log lines). Throws CapabilityError when asked to keep one it lacks.
 */
export function applyKeep(request: KeepRequest, log: (message: string) => void): void {
  const current = getCapabilities();
  log(`Started with capabilities: "${formatCapabilities(current)}"`);
  if (request.kind === "all") {
    log("Retaining all existing capabilities");
    return;
  }
  const missing = request.mask & ~current.permitted;
  if (missing !== 0n) {
    throw new CapabilityError(
      `Cannot keep capabilities ${capabilityNames(missing).join(",")}: the process does not ` +
        `have them (it has "${formatCapabilities(current)}")`,
    );
  }
  setProcessCapabilities(keptSets(request.mask));
  log(`Dropped capabilities to "${formatCapabilities(getCapabilities())}"`);
}
