/**
 * How many cases each property runs, and from which seed. CI runs a fixed count from a fixed
 * seed, so a failure reproduces; a fuzzing run raises the count (and may move the seed):
 *
 *   EBPF_EXPORTER_PROPERTY_RUNS=100000 EBPF_EXPORTER_PROPERTY_SEED=7 deno test -P=test tests/property/
 *
 * fast-check prints the seed and the shrunk counterexample of any failure.
 */

import fc from "fast-check";

const env = (name: string): number | null => {
  const raw = Deno.env.get(name);
  return raw === undefined || raw === "" ? null : Number(raw);
};

/** Cases per property: the env override, else `ciRuns`. */
export function runs(ciRuns: number): number {
  return env("EBPF_EXPORTER_PROPERTY_RUNS") ?? ciRuns;
}

/** The seed every property starts from. */
export const SEED = env("EBPF_EXPORTER_PROPERTY_SEED") ?? 20261129;

/** Checks `property` for `runs(ciRuns)` cases from SEED, throwing fast-check's report. */
export function check<T>(property: fc.IProperty<T>, ciRuns: number): void {
  fc.assert(property, { numRuns: runs(ciRuns), seed: SEED });
}

/** Checks an async property the same way. */
export async function checkAsync<T>(property: fc.IAsyncProperty<T>, ciRuns: number): Promise<void> {
  await fc.assert(property, { numRuns: runs(ciRuns), seed: SEED });
}
