/** Plain-text tables for the bench's console report. */

/** One cell: numbers are rounded for display, everything else printed as is. */
export type Cell = string | number | boolean | null;

function show(c: Cell): string {
  if (c === null) return "-";
  if (typeof c === "boolean") return c ? "yes" : "NO";
  if (typeof c === "number") {
    if (!Number.isFinite(c)) return String(c);
    if (Number.isInteger(c)) return c.toLocaleString("en-US");
    const a = Math.abs(c);
    if (a >= 1000) return Math.round(c).toLocaleString("en-US");
    if (a >= 100) return c.toFixed(0);
    if (a >= 10) return c.toFixed(1);
    return c.toFixed(2);
  }
  return c;
}

/** Formats a titled table; columns of numbers are right-aligned, the others left-aligned. */
export function formatTable(title: string, header: string[], rows: Cell[][]): string {
  const cells = [header, ...rows.map((r) => r.map(show))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) =>
    i > 0 && rows.every((r) => typeof r[i] !== "string" || /^[\d,.]+( ?[×%])?$/.test(r[i]))
  );
  const line = (r: string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [title, line(header), rule, ...cells.slice(1).map(line)].join("\n") + "\n";
}
