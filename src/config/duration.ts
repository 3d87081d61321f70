/**
 * Go `time.ParseDuration` syntax, which upstream configs use for `flush_interval`: a sequence of
 * decimal numbers, each with an optional fraction and a unit (`300ms`, `1h5m`, `1.5h`), an
 * optional leading sign, and the bare `0`.
 */

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n, // U+00B5 micro sign
  "μs": 1_000n, // U+03BC Greek small letter mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// Go's time.Duration is an int64 of nanoseconds.
const MAX_NS = (1n << 63n) - 1n;

const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/** Parses a Go duration string into nanoseconds, throwing a `SyntaxError` or `RangeError`. */
export function parseDuration(text: string): bigint {
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw new SyntaxError(`Invalid duration ${JSON.stringify(text)}`);
  let total = 0n;
  while (rest !== "") {
    const m = COMPONENT.exec(rest)!;
    const [all, whole = "", frac, unit = ""] = m;
    if (whole === "" && (frac === undefined || frac === "")) {
      throw new SyntaxError(`Invalid duration ${JSON.stringify(text)}`);
    }
    if (unit === "") {
      throw new SyntaxError(`Missing unit in duration ${JSON.stringify(text)}`);
    }
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) {
      throw new SyntaxError(
        `Unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`,
      );
    }
    total += BigInt(whole === "" ? "0" : whole) * scale;
    if (frac !== undefined && frac !== "") {
      // Sub-nanosecond remainders are dropped, as Go truncates them.
      total += BigInt(frac) * scale / 10n ** BigInt(frac.length);
    }
    if (total > MAX_NS + (negative ? 1n : 0n)) {
      throw new RangeError(`Duration ${JSON.stringify(text)} is out of range`);
    }
    rest = rest.slice(all.length);
  }
  return negative ? -total : total;
}
