/**
 * What the single binary's launcher adds to Deno's start beyond permissions: V8 flags and a glibc
 * malloc tunable (pack/launcher.c, through the header pack/launcher_permissions.ts generates).
 * Each was measured in README "Idle memory and start-up".
 */

/**
 * A young generation of at most 4 MiB per semi-space (V8 lets it grow to 16 MiB): start-up's
 * allocation churn leaves less heap resident (-8 MiB idle), and 100k-series scrapes measured
 * less CPU and RSS with it. 1 and 2 MiB measured more idle RSS: more objects reach old space.
 */
export const LAUNCHER_V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=4",
  /**
   * globalThis.gc, for one full collection once start-up is over (src/app/run.ts): without it
   * the garbage of start-up (the read buffers of kallsyms, ~16 MB) may be collected only after
   * malloc_trim ran, or never while idle, and stays resident (-7 MiB idle with `ksym`).
   */
  "--expose-gc",
];

/** The single `--v8-flags=` argument for Deno's command line. */
export function launcherV8Argument(): string {
  return `--v8-flags=${LAUNCHER_V8_FLAGS.join(",")}`;
}

/**
 * GLIBC_TUNABLES for Deno when the caller sets none: two malloc arenas instead of one per
 * thread (up to 8 per core) keep less freed memory spread over idle arenas (-4 MiB idle); the
 * scrape path runs on one thread, and 100k-series scrapes measured no more CPU.
 */
export const LAUNCHER_GLIBC_TUNABLES = "glibc.malloc.arena_max=2";
