/** Renders the kernel matrix: the full test × kernel table, and README's kernel support table. */

import { FEATURES } from "../kernel/probes.ts";
import type { CaseResult } from "./junit.ts";

/** One column of the matrix: the host or one guest kernel. */
export interface Column {
  /** `host` or the series from kernels.list (`6.1`). */
  name: string;
  /** tests/vm/features.ts output: release, btf, lockdown, and each feature (true or the gap). */
  features: Record<string, string | boolean | null>;
  cases: CaseResult[];
  /** note() lines of the run: which path a test took. */
  notes: Array<{ test: string; note: string }>;
  /** "ran", or why the guest produced no results. */
  status: string;
  /** When the guest produced no results: the last lines of its log, for the failure list. */
  detail?: string;
  /** Set when a first boot produced no results and this column is the second: why, and its log. */
  retried?: string;
  seconds: number | null;
}

/** What report.json holds. */
export interface Report {
  date: string;
  seconds: number;
  files: string[];
  columns: Column[];
}

const MISSING_NOTE = /^(\S+): missing \((.*)\)$/;

function key(c: { file: string; name: string }): string {
  return `${c.file}\u0000${c.name}`;
}

/** The features a test found missing in a column (from its notes), with the reasons. */
function gaps(col: Column, test: string): Array<{ feature: string; why: string }> {
  const out: Array<{ feature: string; why: string }> = [];
  for (const n of col.notes) {
    if (n.test !== test) continue;
    const m = MISSING_NOTE.exec(n.note);
    if (m && !out.some((g) => g.feature === m[1])) out.push({ feature: m[1]!, why: m[2]! });
  }
  return out;
}

function cell(col: Column, c: CaseResult | undefined): string {
  if (c === undefined) return col.status === "ran" ? "—" : "no result";
  if (c.outcome === "failed") return "FAIL";
  if (c.outcome === "skipped") return "skip";
  const g = gaps(col, c.name);
  return g.length === 0 ? "pass" : `pass (no ${g.map((x) => x.feature).join(", ")})`;
}

function columnTitle(col: Column): string {
  const release = typeof col.features.release === "string" ? col.features.release : col.name;
  return col.name === "host" ? `host ${release}` : release;
}

function featureRows(report: Report): string[][] {
  const names = ["btf", "lockdown", ...FEATURES];

  return names.map((f) => [
    f,
    ...report.columns.map((col) => {
      const v = col.features[f];
      if (v === true) return "yes";
      if (v === false) return "no";
      if (v === null || v === undefined) return "?";
      return f === "lockdown" ? v : "no";
    }),
  ]);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

function markdownTable(rows: string[][]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const [head, ...body] = rows;
  return [
    `| ${head!.map(esc).join(" | ")} |`,
    `|${head!.map(() => "---").join("|")}|`,
    ...body.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** The full matrix as aligned text and as markdown; `failed` when any guest test failed. */
export function renderMatrix(report: Report): { text: string; markdown: string; failed: boolean } {
  const seen = new Map<string, CaseResult>();
  for (const col of report.columns) {
    for (const c of col.cases) if (!seen.has(key(c))) seen.set(key(c), c);
  }
  const tests = [...seen.values()].sort((a, b) => key(a) < key(b) ? -1 : 1);
  const head = ["test", ...report.columns.map(columnTitle)];
  const rows = tests.map((t) => [
    `${t.file.replace("./tests/kernel/", "")}: ${t.name}`,
    ...report.columns.map((col) => cell(col, col.cases.find((c) => key(c) === key(t)))),
  ]);
  const timing = [
    "guest seconds",
    ...report.columns.map((c) => (c.seconds === null ? "—" : String(c.seconds))),
  ];
  const status = ["status", ...report.columns.map((c) => c.status)];
  let failed = false;
  const failures: string[] = [];
  for (const col of report.columns) {
    if (col.name === "host") continue;
    if (col.status !== "ran") {
      failed = true;
      failures.push(`- ${columnTitle(col)}: ${col.status}${col.detail ? `\n${col.detail}` : ""}`);
    }
    for (const c of col.cases) {
      if (c.outcome !== "failed") continue;
      failed = true;
      failures.push(`- ${columnTitle(col)}: ${c.file}: ${c.name}: ${c.message ?? ""}`);
    }
  }
  const all = [head, ...featureRows(report), status, timing, ...rows];
  const retries = report.columns.flatMap((c) =>
    c.retried === undefined ? [] : [`- ${columnTitle(c)}: first boot: ${c.retried}`]
  );
  const markdown = [
    `Kernel matrix of ${report.date} (${report.seconds} s).`,
    "",
    markdownTable(all),
    "",
    ...(retries.length > 0 ? ["Booted twice:", "", ...retries, ""] : []),
    ...(failures.length > 0 ? ["Failures:", "", ...failures, ""] : []),
  ].join("\n");
  const text = [
    table(all),
    ...(retries.length > 0
      ? ["", "Booted twice (the first boot gave no results):", ...retries]
      : []),
    ...(failures.length > 0 ? ["", "Failures:", ...failures] : []),
  ].join("\n");
  return { text, markdown, failed };
}

/** Rolls up a group of test cases into one support cell: works, not supported (why), FAILED. */
function supportCell(col: Column, cases: CaseResult[]): string {
  if (cases.length === 0) return col.status === "ran" ? "—" : "not run";
  if (cases.some((c) => c.outcome === "failed")) return "FAILED";
  if (cases.every((c) => c.outcome === "skipped")) return "skipped";
  const g = cases.flatMap((c) => gaps(col, c.name));
  if (g.length === 0) return "works";
  return `not supported: ${[...new Set(g.map((x) => `${x.feature} (${x.why})`))].join("; ")}`;
}

/** README's kernel support table: features, attach types and examples per kernel. */
export function renderSupport(report: Report): string {
  const head = ["", ...report.columns.map(columnTitle)];
  const attachTypes = new Set<string>();
  const examples = new Set<string>();
  for (const col of report.columns) {
    for (const c of col.cases) {
      // Attach tests are named "TYPE programs …" or "TYPE/function counts …".
      const t = /^([a-z_.]+)(?: programs\b|\/\S+ counts\b)/.exec(c.name);
      if (c.file.endsWith("/attach_test.ts") && t) attachTypes.add(t[1]!);
      const e = /\/examples\/(.+)_test\.ts$/.exec(c.file);
      if (e) examples.add(e[1]!);
    }
  }
  const rows: string[][] = [head, ...featureRows(report)];
  for (const t of [...attachTypes].sort()) {
    rows.push([
      `attach: ${t}`,
      ...report.columns.map((col) =>
        supportCell(
          col,
          col.cases.filter((c) =>
            c.file.endsWith("/attach_test.ts") &&
            (c.name.startsWith(`${t} programs`) || c.name.startsWith(`${t}/`))
          ),
        )
      ),
    ]);
  }
  for (const e of [...examples].sort()) {
    rows.push([
      `example: ${e}`,
      ...report.columns.map((col) =>
        supportCell(col, col.cases.filter((c) => c.file.endsWith(`/examples/${e}_test.ts`)))
      ),
    ]);
  }
  const guests = report.columns.filter((c) => c.name !== "host");
  return [
    `Generated by \`make test-kernels\` from the run of ${report.date.slice(0, 10)} ` +
    `(${guests.length} guest kernels in ${report.seconds} s). "not supported" means the test ` +
    "probed the kernel, found the feature missing and checked the clear error instead.",
    "",
    markdownTable(rows),
  ].join("\n");
}
