import assert from "node:assert/strict";
import { accumulatingNames, parsePartitions, partitionsFrom } from "../../src/host/devices.ts";
import { HostReadError } from "../../src/host/errors.ts";
import { fixture } from "../decoders/helpers.ts";

Deno.test("partitions parse into major:minor → name, skipping the header", () => {
  const parts = parsePartitions(
    "major minor  #blocks  name\n\n   8        0  1024 sda\n 259 1 5 nvme0n1p1\n",
  );
  assert.deepEqual([...parts], [["8:0", "sda"], ["259:1", "nvme0n1p1"]]);
  assert.equal(parsePartitions(fixture("partitions.txt")).get("8:16"), "sdb");
});

Deno.test("unreadable partitions are a HostReadError naming the file", () => {
  assert.throws(
    () => partitionsFrom(() => null),
    (e) => e instanceof HostReadError && e.message === 'Cannot read "/proc/partitions"',
  );
});

Deno.test("accumulated names keep vanished entries and change only with new ones", () => {
  let list: Array<[number, string]> = [[1, "lo"], [2, "eth0"]];
  const source = accumulatingNames(() => list);
  const t = source.initial();
  assert.equal(t.size, 0);
  assert.equal(source.reload(t)?.changed, true);
  list = [[1, "lo"]];
  assert.equal(source.reload(t)?.changed, false);
  assert.deepEqual([...t], [[1, "lo"], [2, "eth0"]]);
});
