/**
 * `syscall`: decimal text (from `uint`) → syscall name from the running architecture's table
 * (strace's internal names, see tables/generate.ts); not in the table → `unknown_syscall:<n>`.
 */

import type { Decoder, DecoderFactory } from "./types.ts";
import { configError } from "./config_error.ts";
import { parseDecimal, toSafeNumber } from "./numeric.ts";
import { utf8 } from "./text.ts";
import { SYSCALLS_ARM64 } from "./tables/syscalls_arm64.ts";
import { SYSCALLS_X86_64 } from "./tables/syscalls_x86_64.ts";

/** The syscall table for a `Deno.build.arch` value, or `null` when there is none. */
export function syscallTableFor(arch: string): ReadonlyMap<number, string> | null {
  if (arch === "x86_64") return SYSCALLS_X86_64;
  if (arch === "aarch64") return SYSCALLS_ARM64;
  return null;
}

/** A `syscall` decoder over one table (exported so both tables can be tested anywhere). */
export function syscallDecoderWith(table: ReadonlyMap<number, string>): Decoder {
  return {
    decode(input) {
      const n = parseDecimal(input, "syscall");
      return utf8(table.get(toSafeNumber(n) ?? -1) ?? `unknown_syscall:${n}`);
    },
  };
}

/** Builds the `syscall` decoder for the running architecture (no config keys). */
export const syscallDecoder: DecoderFactory = (conf) => {
  const table = syscallTableFor(Deno.build.arch);
  if (table === null) {
    throw configError(conf, `no syscall table for architecture "${Deno.build.arch}"`);
  }
  return syscallDecoderWith(table);
};
