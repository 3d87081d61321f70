/**
 * The V8 flags the single binary's launcher passes to Deno (pack/launcher.c, through the header
 * pack/launcher_permissions.ts generates). Measured in README "Idle memory and start-up".
 */

/**
 * A young generation of at most 4 MiB per semi-space (V8's default lets it grow to 16 MiB):
 * start-up's allocation churn no longer leaves a large, idle new space behind, and a 100k-series
 * scrape measured no more CPU with it (less RSS while serving, too).
 */
export const LAUNCHER_V8_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/** The single `--v8-flags=` argument for Deno's command line. */
export function launcherV8Argument(): string {
  return `--v8-flags=${LAUNCHER_V8_FLAGS.join(",")}`;
}
