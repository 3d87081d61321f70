/**
 * Independent readers of our expositions for the format tests: a small text 0.0.4 parser, a
 * strict OpenMetrics 1.0 checker and parser written from the specification (not from our
 * writer), and promtool: `check metrics` for text, and for OpenMetrics Prometheus' own parser
 * through `tsdb create-blocks-from openmetrics` followed by `tsdb dump`.
 */

/** Series identity → value. Keys are `name{label="value",...}` with labels sorted by name. */
export type Series = Map<string, number>;

/**
 * A canonical series key; `le` is normalised to its number so `1` and `1.0` agree, and empty
 * label values are dropped.
 */
export function seriesKey(name: string, labels: Array<[string, string]>): string {
  // An empty label value is the same as no label in Prometheus' data model.
  const sorted = labels.filter(([, v]) => v !== "").map(([k, v]): [string, string] =>
    k === "le" ? [k, v === "+Inf" ? v : String(Number(v))] : [k, v]
  ).sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return name + "{" + sorted.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",") + "}";
}

const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', "n": "\n" };

interface SampleLine {
  name: string;
  labels: Array<[string, string]>;
  value: number;
  rest: string;
}

// Parses `name{a="x",b="y"} value[ rest]` with the escapes both text formats share.
function parseSample(line: string, where: string): SampleLine {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (m === null) throw new SyntaxError(`${where}: no metric name`);
  const name = m[1]!;
  let i = name.length;
  const labels: Array<[string, string]> = [];
  if (line[i] === "{") {
    i++;
    while (line[i] !== "}") {
      const k = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      if (k === null) throw new SyntaxError(`${where}: bad label at column ${i}`);
      i += k[0].length;
      let v = "";
      for (;;) {
        const c = line[i++];
        if (c === undefined) throw new SyntaxError(`${where}: unterminated label value`);
        if (c === '"') break;
        if (c === "\\") {
          const e = ESCAPES[line[i++] ?? ""];
          if (e === undefined) throw new SyntaxError(`${where}: bad escape`);
          v += e;
        } else {
          v += c;
        }
      }
      if (labels.some(([n]) => n === k[1])) throw new SyntaxError(`${where}: label twice`);
      labels.push([k[1]!, v]);
      if (line[i] === ",") i++;
      else if (line[i] !== "}") throw new SyntaxError(`${where}: expected , or }`);
    }
    i++;
  }
  if (line[i] !== " ") throw new SyntaxError(`${where}: expected a space before the value`);
  const [valueText = "", ...rest] = line.slice(i + 1).split(" ");
  const value = valueText === "+Inf"
    ? Infinity
    : valueText === "-Inf"
    ? -Infinity
    : valueText === "NaN"
    ? NaN
    : /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(valueText)
    ? Number(valueText)
    : NaN;
  if (Number.isNaN(value) && valueText !== "NaN") {
    throw new SyntaxError(`${where}: bad value "${valueText}"`);
  }
  return { name, labels, value, rest: rest.join(" ") };
}

/** Text 0.0.4: series → value, and family name → type. */
export function parseText(text: string): { series: Series; types: Map<string, string> } {
  const series: Series = new Map();
  const types = new Map<string, string>();
  text.split("\n").forEach((line, n) => {
    if (line === "") return;
    if (line.startsWith("#")) {
      const t = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (t !== null) types.set(t[1]!, t[2]!);
      return;
    }
    const s = parseSample(line, `text line ${n + 1}`);
    series.set(seriesKey(s.name, s.labels), s.value);
  });
  return { series, types };
}

/**
 * What OpenMetrics calls the text exposition's series: counter samples carry `_total` (added
 * to a counter name that lacks it), everything else keeps its name.
 */
export function textAsOpenMetrics(text: string): Series {
  const { series, types } = parseText(text);
  const out: Series = new Map();
  for (const [key, value] of series) {
    const name = key.slice(0, key.indexOf("{"));
    const renamed = types.get(name) === "counter" && !name.endsWith("_total")
      ? name + "_total" + key.slice(name.length)
      : key;
    out.set(renamed, value);
  }
  return out;
}

const SUFFIXES: Record<string, string[]> = {
  counter: ["_total", "_created"],
  gauge: [""],
  histogram: ["_bucket", "_count", "_sum", "_created"],
};

/**
 * Parses OpenMetrics 1.0 text, checking the rules a Prometheus OpenMetrics parser relies on:
 * `# EOF` last; HELP/TYPE/UNIT once per family and before its samples; families contiguous;
 * UNIT a suffix of the name; counter samples end in `_total` and the family name does not;
 * histogram buckets rising by `le`, cumulative, ending at `+Inf` equal to `_count`.
 */
export function parseOpenMetrics(text: string): Series {
  if (!text.endsWith("# EOF\n")) throw new SyntaxError("OpenMetrics: does not end with # EOF");
  const lines = text.slice(0, -"# EOF\n".length).split("\n");
  if (lines.pop() !== "") throw new SyntaxError("OpenMetrics: no newline before # EOF");
  const series: Series = new Map();
  const seen = new Set<string>();
  let family = "";
  let type = "";
  let sampled = false;
  let buckets: Array<[number, number]> = [];
  let bucketSeries = "";
  const closeHistogram = (where: string) => {
    if (buckets.length === 0) return;
    for (let i = 1; i < buckets.length; i++) {
      const [le, n] = buckets[i]!;
      const [ple, pn] = buckets[i - 1]!;
      if (!(le > ple) || n < pn) throw new SyntaxError(`${where}: buckets not rising`);
    }
    const last = buckets[buckets.length - 1]!;
    if (last[0] !== Infinity) throw new SyntaxError(`${where}: no +Inf bucket`);
    const count = series.get(seriesKey(family + "_count", JSON.parse(bucketSeries)));
    if (count !== last[1]) throw new SyntaxError(`${where}: +Inf bucket differs from _count`);
    buckets = [];
  };
  lines.forEach((line, n) => {
    const where = `OpenMetrics line ${n + 1}`;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (m === null) throw new SyntaxError(`${where}: bad metadata "${line}"`);
      const [, kind, name, arg] = m as unknown as [string, string, string, string];
      if (name !== family) {
        closeHistogram(where);
        if (seen.has(name)) throw new SyntaxError(`${where}: family "${name}" not contiguous`);
        seen.add(name);
        family = name;
        type = "";
        sampled = false;
      }
      if (sampled) throw new SyntaxError(`${where}: metadata after samples`);
      if (kind === "TYPE") {
        if (!(arg in SUFFIXES)) throw new SyntaxError(`${where}: unexpected type "${arg}"`);
        if (arg === "counter" && name.endsWith("_total")) {
          throw new SyntaxError(`${where}: counter family named with _total`);
        }
        type = arg;
      }
      if (kind === "UNIT" && !name.endsWith("_" + arg)) {
        throw new SyntaxError(`${where}: unit "${arg}" is not a suffix of "${name}"`);
      }
      return;
    }
    const s = parseSample(line, where);
    if (s.rest !== "") throw new SyntaxError(`${where}: unexpected timestamp or exemplar`);
    const suffix = s.name.slice(family.length);
    if (!s.name.startsWith(family) || !(SUFFIXES[type] ?? [""]).includes(suffix)) {
      throw new SyntaxError(`${where}: sample "${s.name}" does not belong to ${type} "${family}"`);
    }
    sampled = true;
    if (suffix === "_bucket") {
      const le = s.labels.find(([k]) => k === "le")?.[1];
      if (le === undefined) throw new SyntaxError(`${where}: bucket without le`);
      if (le !== "+Inf" && !/[.e]/.test(le)) {
        throw new SyntaxError(`${where}: le="${le}" is not a canonical number`);
      }
      const rest = JSON.stringify(s.labels.filter(([k]) => k !== "le"));
      if (rest !== bucketSeries) {
        closeHistogram(where);
        bucketSeries = rest;
      }
      buckets.push([le === "+Inf" ? Infinity : Number(le), s.value]);
    } else if (suffix === "_count") {
      series.set(seriesKey(s.name, s.labels), s.value);
      closeHistogram(where);
      return;
    }
    const key = seriesKey(s.name, s.labels);
    if (series.has(key)) throw new SyntaxError(`${where}: series ${key} twice`);
    series.set(key, s.value);
  });
  return series;
}

async function run(
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${cmd} not found: install Debian's prometheus (Makefile TEST_PACKAGES)`, {
        cause: e,
      });
    }
    throw e;
  }
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** `promtool check metrics` on text 0.0.4: exit code and what it printed. */
export function promtoolCheckMetrics(text: string): Promise<{ code: number; out: string }> {
  return run("promtool", ["check", "metrics"], text);
}

// Go's strconv.Quote escapes, as `tsdb dump` prints label values.
function goUnquote(q: string): string {
  return q.slice(1, -1).replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[abfnrtv\\"])/g,
    (_, e: string) => {
      if ("xuU".includes(e[0]!)) return String.fromCodePoint(parseInt(e.slice(1), 16));
      return ({ a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" } as Record<
        string,
        string
      >)[e] ?? e;
    },
  );
}

/**
 * OpenMetrics read by Prometheus' own parser: every sample gets a timestamp (the backfiller
 * needs one), `promtool tsdb create-blocks-from openmetrics` parses the text into a block, and
 * `promtool tsdb dump` prints every series back.
 */
export async function promtoolReadOpenMetrics(text: string): Promise<Series> {
  const dir = Deno.makeTempDirSync({ prefix: "om-promtool-" });
  try {
    const stamped = text.replace(/^([^#\n].*)$/gm, "$1 1700000000");
    Deno.writeTextFileSync(`${dir}/in.om`, stamped);
    const made = await run("promtool", [
      "tsdb",
      "create-blocks-from",
      "openmetrics",
      `${dir}/in.om`,
      `${dir}/db`,
    ]);
    if (made.code !== 0) throw new Error(`promtool rejected the OpenMetrics text:\n${made.out}`);
    Deno.mkdirSync(`${dir}/db/wal`, { recursive: true });
    const dumped = await run("promtool", ["tsdb", "dump", `${dir}/db`]);
    if (dumped.code !== 0) throw new Error(`promtool tsdb dump failed:\n${dumped.out}`);
    const series: Series = new Map();
    for (const line of dumped.out.split("\n")) {
      const m = /^\{(.*)\} (\S+) 1700000000000$/.exec(line);
      if (m === null) continue;
      let name = "";
      const labels: Array<[string, string]> = [];
      for (const p of m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)=("(?:[^"\\]|\\.)*")/g)) {
        const v = goUnquote(p[2]!);
        if (p[1] === "__name__") name = v;
        else labels.push([p[1]!, v]);
      }
      series.set(seriesKey(name, labels), Number(m[2]));
    }
    return series;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
