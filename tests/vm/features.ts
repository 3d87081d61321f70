/**
 * Prints, as one JSON object, what the running kernel offers the tests: release, BTF, lockdown
 * and each feature of tests/kernel/probes.ts. The kernel matrix runs it first in every guest.
 */

import { isReadable, readFileViaLibc } from "../../ffi/libc.ts";
import { FEATURES, missing } from "../kernel/probes.ts";

function readText(path: string): string | null {
  try {
    return new TextDecoder().decode(readFileViaLibc(path)).trim();
  } catch {
    return null;
  }
}

const lockdown = readText("/sys/kernel/security/lockdown");
const report: Record<string, string | boolean | null> = {
  release: readText("/proc/sys/kernel/osrelease"),
  btf: isReadable("/sys/kernel/btf/vmlinux"),
  lockdown: lockdown === null ? null : (/\[(\w+)\]/.exec(lockdown)?.[1] ?? lockdown),
};
for (const f of FEATURES) report[f] = (await missing(f)) ?? true;
console.log(JSON.stringify(report));
