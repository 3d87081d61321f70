/**
 * Histogram samples for tests, written as a list of `{le, count}` buckets (easy to read in a
 * test) and turned into the typed form the writers take.
 */

import { type HistogramSample, histogramSample } from "../../src/encode/model.ts";

/** A histogram sample spelled with one object per bucket. */
export interface BucketSample {
  labels: string[];
  /** Upper bounds in rising order with cumulative counts. */
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

/** The typed sample of `s` (already typed samples pass through). */
export function typed(s: BucketSample | HistogramSample): HistogramSample {
  if (!("buckets" in s)) return s;
  const les = s.buckets.map((b) => b.le);
  const counts = s.buckets.map((b) => b.count);
  return histogramSample(s.labels, les, counts, s.count, s.sum);
}
