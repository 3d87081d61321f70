import { type BucketSample, typed } from "./bucket_samples.ts";
import assert from "node:assert/strict";
import type {
  HistogramFamily,
  HistogramSample,
  MetricFamily,
  ScalarFamily,
  SeriesMemo,
} from "../../src/encode/model.ts";
import {
  compareUtf8,
  CONTENT_TYPE_TEXT,
  encodeText,
  encodeTextChunks,
  TextWriter,
} from "../../src/encode/text.ts";
import golden from "../fixtures/encode/golden.prom" with { type: "text" };

function counter(
  name: string,
  labelNames: string[],
  samples: Array<[string[], number]>,
  help = "Help for " + name,
): ScalarFamily {
  return {
    name,
    help,
    type: "counter",
    labelNames,
    samples: samples.map(([labels, value]) => ({ labels, value })),
  };
}

function histogram(
  name: string,
  labelNames: string[],
  samples: Array<BucketSample | HistogramSample>,
): HistogramFamily {
  return {
    name,
    help: "Help for " + name,
    type: "histogram",
    labelNames,
    samples: samples.map(typed),
  };
}

Deno.test("the content type is text format 0.0.4 in UTF-8", () => {
  assert.equal(CONTENT_TYPE_TEXT, "text/plain; version=0.0.4; charset=utf-8");
});

Deno.test("a counter without labels is one HELP, one TYPE and one sample line", () => {
  assert.equal(
    encodeText([counter("x_total", [], [[[], 1500000]], "Things")]),
    "# HELP x_total Things\n# TYPE x_total counter\nx_total 1.5e+06\n",
  );
});

Deno.test("gauges carry their type", () => {
  const f: ScalarFamily = {
    name: "g",
    help: "G",
    type: "gauge",
    labelNames: ["name"],
    samples: [{ labels: ["a"], value: 1 }],
  };
  assert.equal(encodeText([f]), '# HELP g G\n# TYPE g gauge\ng{name="a"} 1\n');
});

Deno.test("help escapes backslash and newline but not quotes", () => {
  const out = encodeText([counter("x", [], [[[], 0]], 'a\\b\nc "d"\te')]);
  assert.equal(out.split("\n")[0], '# HELP x a\\\\b\\nc "d"\te');
});

Deno.test("an empty help still writes the HELP line", () => {
  assert.equal(encodeText([counter("x", [], [[[], 0]], "")]), "# HELP x \n# TYPE x counter\nx 0\n");
});

Deno.test("label values escape backslash, quote and newline and keep tabs literal", () => {
  const out = encodeText([
    counter("x", ["v"], [[['a\\b"c\nd\te'], 1]]),
  ]);
  assert.equal(out.split("\n")[2], 'x{v="a\\\\b\\"c\\nd\te"} 1');
});

Deno.test("kstack and module ksym labels come out escaped as upstream writes them", () => {
  const out = encodeText([
    counter("k", ["kstack"], [[["one\ntwo\nthree"], 2]]),
    counter("s", ["function"], [[["commit_timeout\t[jbd2]"], 3]]),
  ]);
  assert.ok(out.includes('k{kstack="one\\ntwo\\nthree"} 2\n'));
  assert.ok(out.includes('s{function="commit_timeout\t[jbd2]"} 3\n'));
});

Deno.test("families are sorted by name", () => {
  const out = encodeText([
    counter("b", [], [[[], 1]]),
    counter("a_total", [], [[[], 1]]),
    counter("a", [], [[[], 1]]),
  ]);
  const names = out.split("\n").filter((l) => l.startsWith("# TYPE")).map((l) => l.split(" ")[2]);
  assert.deepEqual(names, ["a", "a_total", "b"]);
});

Deno.test("label pairs are written in label-name order", () => {
  const out = encodeText([counter("x", ["zeta", "alpha", "mid"], [[["z", "a", "m"], 1]])]);
  assert.equal(out.split("\n")[2], 'x{alpha="a",mid="m",zeta="z"} 1');
});

Deno.test("series sort by label values taken in label-name order", () => {
  const out = encodeText([
    counter("x", ["b", "a"], [
      [["1", "y"], 1],
      [["2", "x"], 2],
      [["1", "x"], 3],
      [["10", "x"], 4],
      [["", "y"], 5],
    ]),
  ]);
  assert.deepEqual(out.split("\n").slice(2, -1), [
    'x{a="x",b="1"} 3',
    'x{a="x",b="10"} 4',
    'x{a="x",b="2"} 2',
    'x{a="y",b=""} 5',
    'x{a="y",b="1"} 1',
  ]);
});

Deno.test("series order compares UTF-8 bytes like Go, not UTF-16 units", () => {
  const out = encodeText([
    counter("x", ["v"], [[["\u{1F600}"], 1], [["\uFFFD"], 2], [["Z"], 3], [["é"], 4]]),
  ]);
  assert.deepEqual(out.split("\n").slice(2, -1), [
    'x{v="Z"} 3',
    'x{v="é"} 4',
    'x{v="\uFFFD"} 2',
    'x{v="\u{1F600}"} 1',
  ]);
});

Deno.test("compareUtf8 agrees with comparing encoded bytes", () => {
  const enc = new TextEncoder();
  const bytes = (a: string, b: string) => {
    const x = enc.encode(a);
    const y = enc.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    }
    return x.length - y.length;
  };
  const words = ["", "a", "ab", "b", "\u00e9", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff"]
    .concat(["\u{10000}", "\u{1F600}", "\u{10FFFF}", "a\u{1F600}", "a\uffff", "aa"]);
  for (const a of words) {
    for (const b of words) {
      assert.equal(Math.sign(compareUtf8(a, b)), Math.sign(bytes(a, b)), `${a} vs ${b}`);
    }
  }
});

Deno.test("histograms write rising buckets, +Inf, sum and count", () => {
  const out = encodeText([
    histogram("lat_seconds", ["op", "dev"], [
      {
        labels: ["read", "sda"],
        buckets: [{ le: 0.000001, count: 1 }, { le: 0.000002, count: 3 }, { le: 1, count: 3 }],
        count: 3,
        sum: 0.0018239999999999999,
      },
    ]),
  ]);
  assert.equal(
    out,
    [
      "# HELP lat_seconds Help for lat_seconds",
      "# TYPE lat_seconds histogram",
      'lat_seconds_bucket{dev="sda",op="read",le="1e-06"} 1',
      'lat_seconds_bucket{dev="sda",op="read",le="2e-06"} 3',
      'lat_seconds_bucket{dev="sda",op="read",le="1"} 3',
      'lat_seconds_bucket{dev="sda",op="read",le="+Inf"} 3',
      'lat_seconds_sum{dev="sda",op="read"} 0.0018239999999999999',
      'lat_seconds_count{dev="sda",op="read"} 3',
      "",
    ].join("\n"),
  );
});

Deno.test("a histogram without labels puts le alone in braces", () => {
  const out = encodeText([
    histogram("h", [], [{ labels: [], buckets: [{ le: 0, count: 2 }], count: 5, sum: 2e6 }]),
  ]);
  assert.deepEqual(out.split("\n").slice(2, -1), [
    'h_bucket{le="0"} 2',
    'h_bucket{le="+Inf"} 5',
    "h_sum 2e+06",
    "h_count 5",
  ]);
});

Deno.test("a histogram whose last bound is Infinity gets no second +Inf bucket", () => {
  const out = encodeText([
    histogram("h", [], [{
      labels: [],
      buckets: [{ le: 1, count: 1 }, { le: Infinity, count: 4 }],
      count: 4,
      sum: 0,
    }]),
  ]);
  assert.deepEqual(out.split("\n").slice(2, -1), [
    'h_bucket{le="1"} 1',
    'h_bucket{le="+Inf"} 4',
    "h_sum 0",
    "h_count 4",
  ]);
});

Deno.test("histogram series sort by their labels", () => {
  const s = (dev: string): BucketSample => ({ labels: [dev], buckets: [], count: 0, sum: 0 });
  const out = encodeText([histogram("h", ["dev"], [s("sdb"), s("nvme0n1"), s("sda")])]);
  const counts = out.split("\n").filter((l) => l.startsWith("h_count"));
  assert.deepEqual(counts, [
    'h_count{dev="nvme0n1"} 0',
    'h_count{dev="sda"} 0',
    'h_count{dev="sdb"} 0',
  ]);
});

Deno.test("families without samples are left out entirely", () => {
  assert.equal(encodeText([counter("empty", ["a"], [])]), "");
  assert.equal(encodeText([]), "");
  assert.equal(
    encodeText([counter("empty", [], []), counter("x", [], [[[], 1]])]),
    "# HELP x Help for x\n# TYPE x counter\nx 1\n",
  );
});

Deno.test("families with one name merge into one block", () => {
  const out = encodeText([
    counter("x", ["c"], [[["b"], 2]]),
    counter("y", [], [[[], 9]]),
    counter("x", ["c"], [[["a"], 1]]),
  ]);
  assert.equal(
    out,
    '# HELP x Help for x\n# TYPE x counter\nx{c="a"} 1\nx{c="b"} 2\n' +
      "# HELP y Help for y\n# TYPE y counter\ny 9\n",
  );
});

Deno.test("families with one name but different help, type or labels fail", () => {
  assert.throws(
    () => encodeText([counter("x", [], [[[], 1]]), counter("x", [], [[[], 2]], "other")]),
    /Cannot merge families named "x": help "other" differs/,
  );
  assert.throws(
    () => encodeText([counter("x", ["a"], [[["1"], 1]]), counter("x", ["b"], [[["2"], 2]])]),
    /labels \[b\] differ from \[a\]/,
  );
  const g: MetricFamily = { ...counter("x", [], [[[], 1]]), type: "gauge" };
  assert.throws(() => encodeText([counter("x", [], [[[], 1]]), g]), /type gauge differs/);
});

Deno.test("a series seen twice fails the whole exposition before any chunk", () => {
  const dup = [counter("x", ["a"], [[["1"], 1]]), counter("x", ["a"], [[["1"], 2]])];
  assert.throws(
    () => encodeTextChunks(dup, 10),
    (e: unknown) =>
      e instanceof Error &&
      e.message === 'Cannot encode family "x": series {a="1"} occurs more than once',
  );
  assert.throws(() => encodeText([counter("x", [], [[[], 1], [[], 2]])]), /occurs more than once/);
});

Deno.test("a series with the wrong number of label values fails", () => {
  assert.throws(
    () => encodeText([counter("x", ["a", "b"], [[["1"], 1]])]),
    /series has 1 label values for 2 label names/,
  );
});

Deno.test("encoding leaves the input families untouched", () => {
  const f = counter("x", ["a"], [[["2"], 1], [["1"], 1]]);
  const families = [counter("z", [], [[[], 1]]), f];
  encodeText(families);
  assert.deepEqual(f.samples.map((s) => s.labels[0]), ["2", "1"]);
  assert.equal(families[0]?.name, "z");
});

// mulberry32: a tiny seeded PRNG so failures are reproducible.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bigInput(series: number): MetricFamily[] {
  const rand = prng(99);
  const c = counter("ebpf_exporter_syscalls_total", ["syscall", "comm"], []);
  for (let i = 0; i < series; i++) {
    c.samples.push({ labels: [`sys_${i}`, `comm "${i % 97}"\n`], value: Math.floor(rand() * 1e9) });
  }
  const h = histogram("ebpf_exporter_latency_seconds", ["cgroup"], []);
  for (let i = 0; i < series / 50; i++) {
    const buckets = [];
    let cum = 0;
    for (let b = 0; b < 27; b++) {
      cum += Math.floor(rand() * 100);
      buckets.push({ le: 2 ** b * 0.000001, count: cum });
    }
    h.samples.push(
      typed({ labels: [`/sys/fs/cgroup/${i}`], buckets, count: cum, sum: rand() * 1e3 }),
    );
  }
  return [h, c];
}

Deno.test("chunked output equals the buffered output on 50k series", () => {
  const families = bigInput(50_000);
  const whole = encodeText(families);
  const target = 16 * 1024;
  const dec = new TextDecoder();
  const bytes = [...encodeTextChunks(families, target)];
  const chunks = bytes.map((c) => dec.decode(c));
  assert.ok(chunks.length > 10, `${chunks.length} chunks`);
  assert.equal(chunks.join(""), whole);
  // Chunks end on line boundaries and only the last may fall short of the target.
  for (const [i, c] of chunks.entries()) {
    assert.ok(c.endsWith("\n"));
    const n = bytes[i]!.length;
    if (i < chunks.length - 1) assert.ok(n >= target && n < target + 4096, `chunk of ${n} bytes`);
  }
  assert.equal(whole.split("\n").filter((l) => !l.startsWith("#")).length - 1, 50_000 + 1000 * 30);
});

Deno.test("chunking with a tiny target yields one chunk per series", () => {
  const families = [counter("x", ["a"], [[["1"], 1], [["2"], 2]])];
  assert.deepEqual([...encodeTextChunks(families, 1)].map((c) => new TextDecoder().decode(c)), [
    '# HELP x Help for x\n# TYPE x counter\nx{a="1"} 1\n',
    'x{a="2"} 2\n',
  ]);
});

function goldenFamilies(): MetricFamily[] {
  return [
    {
      name: "ebpf_exporter_enabled_configs",
      help: "The set of enabled configs",
      type: "gauge",
      labelNames: ["name"],
      samples: [{ labels: ["timers"], value: 1 }, { labels: ["biolatency"], value: 1 }],
    },
    counter("ebpf_exporter_decoder_errors_total", ["config"], [[["timers"], 0], [
      ["biolatency"],
      3,
    ]], "How many times has decoders encountered errors"),
    counter("ebpf_exporter_timer_starts_total", ["function"], [
      [["commit_timeout\t[jbd2]"], 12],
      [["delayed_work_timer_fn"], 1234567],
      [["unknown_addr:0xffffffeb19d90828"], 0.5],
    ], "Timers fired in the kernel"),
    counter("ebpf_exporter_mark_page_accessed_total", ["kstack"], [
      [["mark_page_accessed\nfilemap_read\nvfs_read"], 42],
    ], 'Stacks with "quotes", a backslash \\ and\na newline'),
    counter("ebpf_exporter_tcp_window_clamps_total", [], [[[], 18446744073709551615]], "Clamps"),
    counter("ebpf_exporter_empty_total", ["x"], [], "Never written"),
    histogram("ebpf_exporter_bio_latency_seconds", ["device", "operation"], [
      {
        labels: ["sdb", "write"],
        buckets: [{ le: 0.000001, count: 0 }, { le: 0.000002, count: 2 }, {
          le: 0.000004,
          count: 2,
        }],
        count: 2,
        sum: 0.000003,
      },
      {
        labels: ["nvme0n1", "read"],
        buckets: [{ le: 0.000001, count: 5 }, { le: 0.000002, count: 7 }, {
          le: 0.000004,
          count: 8,
        }],
        count: 8,
        sum: 1824 * 0.000001,
      },
    ]),
  ];
}

// Needs no permissions to check; `UPDATE_GOLDEN=1` with --allow-env --allow-write rewrites it.
function wantsUpdate(): boolean {
  const env = Deno.permissions.querySync({ name: "env", variable: "UPDATE_GOLDEN" });
  return env.state === "granted" && Deno.env.get("UPDATE_GOLDEN") === "1";
}

Deno.test("a small exposition matches the committed golden file", () => {
  const got = encodeText(goldenFamilies());
  if (wantsUpdate()) {
    Deno.writeTextFileSync(new URL("../fixtures/encode/golden.prom", import.meta.url), got);
    return;
  }
  assert.equal(got, golden);
});

function memo(): SeriesMemo {
  return { rank: -1, epoch: -1, owner: null };
}

Deno.test("series with memos come out in the same order as without, scrape after scrape", () => {
  const rand = prng(7);
  const labels = (i: number) => [`id ${i % 13}`, `é${(i * 7919) % 1000}`];
  const memos = new Map<number, SeriesMemo>();
  const writer = new TextWriter();
  let live = new Set<number>();
  for (let scrape = 0; scrape < 12; scrape++) {
    // Series come and go between scrapes; some scrapes change nothing.
    if (scrape % 3 !== 2) {
      live = new Set([...live].filter(() => rand() > 0.2));
      for (let i = 0; i < 60; i++) live.add(Math.floor(rand() * 1000));
    }
    const ids = [...live].sort(() => rand() - 0.5);
    const plain = counter("m", ["b", "a"], ids.map((i) => [labels(i), i]));
    const memoed = counter("m", ["b", "a"], ids.map((i) => [labels(i), i]));
    for (const [k, s] of memoed.samples.entries()) {
      const id = ids[k]!;
      if (id % 5 !== 0) { // a few series stay memo-less, as loose label sets do
        let m = memos.get(id);
        if (m === undefined) memos.set(id, m = memo());
        s.memo = m;
      }
    }
    assert.equal(writer.text([memoed]), encodeText([plain]), `scrape ${scrape}`);
  }
});

Deno.test("a duplicate series is caught when both copies carry memos", () => {
  const f = counter("m", ["a"], [[["x"], 1], [["x"], 2]]);
  for (const s of f.samples) s.memo = memo();
  assert.throws(() => encodeText([f]), /occurs more than once/);
});

Deno.test("families marked distinct skip the duplicate check unless they merge", () => {
  const f = counter("m", ["a"], [[["x"], 1], [["y"], 2]]);
  f.distinct = true;
  assert.equal(encodeText([f]), '# HELP m Help for m\n# TYPE m counter\nm{a="x"} 1\nm{a="y"} 2\n');
  const g = counter("m", ["a"], [[["x"], 4]]);
  g.distinct = true;
  assert.throws(() => encodeText([f, g]), /occurs more than once/);
});

Deno.test("values are read when the encode is called, not when chunks are pulled", () => {
  const f = counter("m", ["a"], [[["x"], 1], [["y"], 2]]);
  const chunks = encodeTextChunks([f], 1);
  for (const s of f.samples) s.value = 99;
  const text = [...chunks].map((c) => new TextDecoder().decode(c)).join("");
  assert.equal(text, '# HELP m Help for m\n# TYPE m counter\nm{a="x"} 1\nm{a="y"} 2\n');
});

Deno.test("an unchanged family with memos encodes the same again, values included", () => {
  const memos = [memo(), memo(), memo()];
  const family = (vals: number[]) => {
    const f = counter("n", ["a"], [[["c"], vals[0]!], [["a"], vals[1]!], [["b"], vals[2]!]]);
    f.samples.forEach((s, i) => s.memo = memos[i]!);
    return f;
  };
  const want = (a: number, b: number, c: number) =>
    `# HELP n Help for n\n# TYPE n counter\nn{a="a"} ${a}\nn{a="b"} ${b}\nn{a="c"} ${c}\n`;
  const writer = new TextWriter();
  assert.equal(writer.text([family([1, 2, 3])]), want(2, 3, 1));
  assert.equal(writer.text([family([4, 5, 6e9])]), want(5, 6e9, 4).replace("6000000000", "6e+09"));
});

Deno.test("two writers keep their own state, even over memos they share", () => {
  // Each writer sees a different set of series under one family name, carrying the same memo
  // objects: a writer must never trust ranks or prefixes another writer stamped.
  const memos = new Map<string, SeriesMemo>();
  const family = (names: string[]) => {
    const f = counter("m", ["a"], names.map((n, i) => [[n], i]));
    for (const s of f.samples) {
      const m = memos.get(s.labels[0]!) ?? memo();
      memos.set(s.labels[0]!, m);
      s.memo = m;
    }
    return f;
  };
  const one = new TextWriter();
  const two = new TextWriter();
  const inputs = [["c", "a", "b"], ["b", "d"], ["d", "c", "a", "b"], ["a"]];
  for (let scrape = 0; scrape < 6; scrape++) {
    const x = inputs[scrape % inputs.length]!;
    const y = inputs[(scrape + 1) % inputs.length]!;
    const plainX = encodeText([counter("m", ["a"], x.map((n, i) => [[n], i]))]);
    const plainY = encodeText([counter("m", ["a"], y.map((n, i) => [[n], i]))]);
    assert.equal(one.text([family(x)]), plainX, `writer one, scrape ${scrape}`);
    assert.equal(two.text([family(y)]), plainY, `writer two, scrape ${scrape}`);
  }
  assert.equal(
    one.text([family(["b", "a"])]),
    '# HELP m Help for m\n# TYPE m counter\nm{a="a"} 1\nm{a="b"} 0\n',
  );
});

Deno.test("a kept writer reuses histogram lines only while series and bounds stay the same", () => {
  const h = (labels: string[], les: number[], base: number): BucketSample => ({
    labels,
    buckets: les.map((le, i) => ({ le, count: base + i })),
    count: base + les.length,
    sum: base / 4,
  });
  const fam = (samples: BucketSample[], labelNames = ["dev"]) =>
    histogram("lat", labelNames, samples);
  const w = new TextWriter();
  const shared = ["sda"];
  const scrapes: HistogramFamily[] = [
    fam([h(["sdb"], [1, 2], 1), h(shared, [1, 2], 5)]),
    // Same series, new counts: the kept lines carry the new values.
    fam([h(shared, [1, 2], 7), h(["sdb"], [1, 2], 2)]),
    // The shared label array changes in place before this one (same count, same bounds).
    fam([h(shared, [1, 2], 7), h(["sdb"], [1, 2], 2)]),
    // One bound changed, nothing else.
    fam([h(shared, [1, 2], 7), h(["sdb"], [1, 3], 2)]),
    // A series added, an Infinity bound.
    fam([h(shared, [1, 2], 7), h(["sdc"], [1, 2], 0), h(["sdb"], [1, 3], 2)]),
    fam([h(shared, [1, Infinity], 3), h(["sdc"], [1, 2], 0)]),
    // Same series under another label name.
    fam([h(shared, [1, Infinity], 3), h(["sdc"], [1, 2], 0)], ["disk"]),
    fam([h(['\u00e9"x'], [0.5], 1)]),
  ];
  for (const [i, f] of scrapes.entries()) {
    if (i === 2) shared[0] = "nvme0n1";
    assert.equal(w.text([f]), encodeText([f]), `scrape ${i}`);
  }
  assert.deepEqual(w.text([scrapes[5]!]).split("\n").slice(2, -1), [
    'lat_bucket{dev="nvme0n1",le="1"} 3',
    'lat_bucket{dev="nvme0n1",le="+Inf"} 4',
    'lat_sum{dev="nvme0n1"} 0.75',
    'lat_count{dev="nvme0n1"} 5',
    'lat_bucket{dev="sdc",le="1"} 0',
    'lat_bucket{dev="sdc",le="2"} 1',
    'lat_bucket{dev="sdc",le="+Inf"} 2',
    'lat_sum{dev="sdc"} 0',
    'lat_count{dev="sdc"} 2',
  ]);
  assert.equal(
    w.text([scrapes[7]!]).split("\n")[2],
    'lat_bucket{dev="\u00e9\\"x",le="0.5"} 1',
  );
  // A duplicate that appears after a kept encode is still caught.
  assert.throws(
    () => w.text([fam([h(["sdc"], [1], 0), h(["sdc"], [1], 1)])]),
    /series \{dev="sdc"\} occurs more than once/,
  );
});

Deno.test("a distinct family whose series did not change keeps its order; a swap does not", () => {
  const rand = prng(11);
  const memos = new Map<number, SeriesMemo>();
  const writer = new TextWriter();
  let live = [3, 1, 4, 15, 9, 2, 6];
  for (let scrape = 0; scrape < 16; scrape++) {
    // Same count every time: unchanged, one series swapped for another, or reordered input.
    if (scrape % 4 === 1) live[Math.floor(rand() * live.length)] = 100 + scrape;
    if (scrape % 4 === 2) live = live.sort(() => rand() - 0.5);
    const make = (withMemos: boolean) => {
      const f = counter("d", ["id"], live.map((i) => [[`s${i}`], i * 10 + scrape]));
      f.distinct = true;
      if (!withMemos) return f;
      f.samples.forEach((s, k) => {
        let m = memos.get(live[k]!);
        if (m === undefined) memos.set(live[k]!, m = memo());
        s.memo = m;
      });
      return f;
    };
    assert.equal(writer.text([make(true)]), encodeText([make(false)]), `scrape ${scrape}`);
  }
  // One memo on two samples (a caller bug) still writes both lines, as without memos.
  const f = counter("d", ["id"], [[["s1"], 1], [["s1"], 2]]);
  f.distinct = true;
  const m = memo();
  for (const s of f.samples) s.memo = m;
  writer.text([f]);
  assert.equal(
    writer.text([f]),
    '# HELP d Help for d\n# TYPE d counter\nd{id="s1"} 1\nd{id="s1"} 2\n',
  );
});
