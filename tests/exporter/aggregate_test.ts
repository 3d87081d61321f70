import assert from "node:assert/strict";
import { aggregate, Aggregator, labelKey } from "../../src/exporter/aggregate.ts";
import { LabelSet } from "../../src/exporter/series.ts";

Deno.test("rows with equal labels are summed in first-seen order", () => {
  const out = aggregate([
    { labels: ["foo"], value: 8 },
    { labels: ["bar"], value: 1 },
    { labels: ["foo"], value: 3 },
  ]);
  assert.deepEqual(out, [
    { labels: ["foo"], value: 11 },
    { labels: ["bar"], value: 1 },
  ]);
});

Deno.test("label values containing the upstream separator do not merge", () => {
  const out = aggregate([
    { labels: ["a|b", "c"], value: 1 },
    { labels: ["a", "b|c"], value: 2 },
    { labels: ["a\0b", "c"], value: 4 },
    { labels: ["a", "b\0c"], value: 8 },
    { labels: ["1:a", ""], value: 16 },
    { labels: ["", "1:a"], value: 32 },
  ]);
  assert.equal(out.length, 6);
  assert.deepEqual(out.map((s) => s.value), [1, 2, 4, 8, 16, 32]);
});

Deno.test("rows without labels collapse into one series", () => {
  assert.deepEqual(aggregate([{ labels: [], value: 2 }, { labels: [], value: 5 }]), [
    { labels: [], value: 7 },
  ]);
});

Deno.test("multi-label rows merge only when every value matches", () => {
  const out = aggregate([
    { labels: ["sda", "read"], value: 1 },
    { labels: ["sda", "write"], value: 2 },
    { labels: ["sda", "read"], value: 4 },
    { labels: ["sdb", "read"], value: 8 },
  ]);
  assert.deepEqual(out, [
    { labels: ["sda", "read"], value: 5 },
    { labels: ["sda", "write"], value: 2 },
    { labels: ["sdb", "read"], value: 8 },
  ]);
});

Deno.test("aggregator copies the label array it is given", () => {
  const agg = new Aggregator(1);
  const scratch = ["x"];
  agg.add(scratch, 1);
  scratch[0] = "y";
  agg.add(scratch, 2);
  assert.deepEqual(agg.samples(), [
    { labels: ["x"], value: 1 },
    { labels: ["y"], value: 2 },
  ]);
});

Deno.test("aggregator rejects rows with a different number of labels", () => {
  const agg = new Aggregator(2);
  agg.add(["a"], 1);
  assert.throws(() => agg.add(["a", "b"], 1), /expected 1 values/);
});

Deno.test("an empty input gives no samples", () => {
  assert.deepEqual(aggregate([]), []);
});

Deno.test("label keys of distinct tuples are distinct", () => {
  assert.notEqual(labelKey(["ab", "c"], 2), labelKey(["a", "bc"], 2));
  assert.equal(labelKey(["a", "b", "c"], 2), labelKey(["a", "b", "z"], 2));
  assert.equal(labelKey(["only"], 1), "only");
});

Deno.test("interned label sets are summed by identity, loose rows with equal labels merge in", () => {
  const x = new LabelSet(["x"], true);
  const y = new LabelSet(["y"], true);
  const agg = new Aggregator(3);
  agg.addSet(x, 1);
  agg.addSet(y, 2);
  agg.addSet(x, 4);
  agg.addSet(new LabelSet(["x"], false), 8);
  agg.add(["z"], 16);
  const out = agg.samples();
  assert.deepEqual(out.map((s) => [s.labels, s.value]), [[["x"], 13], [["y"], 2], [["z"], 16]]);
  assert.equal(out[0]!.memo, x);
  // A second pass starts from zero although the sets still carry the first pass's mark, and
  // reuses the sample objects of the interned sets.
  const again = new Aggregator(4);
  again.addSet(x, 1);
  const second = again.samples();
  assert.deepEqual(second.map((s) => s.value), [1]);
  assert.equal(second[0], out[0]);
});
