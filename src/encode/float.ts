/**
 * Float formatting identical to the Go Prometheus text encoder: `strconv.FormatFloat(v, 'g', -1, 64)`
 * with `+Inf`/`-Inf`/`NaN` spelled the Prometheus way and zero always `0` (spec 3.13).
 */

// Go's shortest 'g' switches to exponent form when the first digit's decimal exponent is
// below -4 or at least 6 (fixed for shortest formatting, unlike JS's 21).
const MIN_PLAIN = 1e-4;
const MAX_PLAIN = 1e6;

/** Formats a float64 the way Go's Prometheus text format writes sample and `le` values. */
export function formatFloat(v: number): string {
  const a = v < 0 ? -v : v;
  // Inside [1e-4, 1e6) the shortest digits have exponent -4..5, where Go and JS both print
  // plain decimals from the same shortest digits; integers (the scrape hot path) land here too.
  if (a >= MIN_PLAIN && a < MAX_PLAIN) return String(v);
  // The Go encoder special-cases zero before strconv, so -0 prints as `0`.
  if (v === 0) return "0";
  if (v !== v) return "NaN";
  if (a === Infinity) return v > 0 ? "+Inf" : "-Inf";
  if (a <= Number.MAX_SAFE_INTEGER && Number.isInteger(a)) return formatBigInteger(v);
  return formatScientific(v);
}

// Large counters are the common case above 1e6. Every safe integer is exact, so its shortest
// round-trip digits are just its decimal digits without trailing zeros.
function formatBigInteger(v: number): string {
  const digits = String(v < 0 ? -v : v);
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 0x30) end--;
  const exp = digits.length - 1;
  return (v < 0 ? "-" : "") + digits[0] + (end > 1 ? "." + digits.slice(1, end) : "") +
    (exp < 10 ? "e+0" : "e+") + exp;
}

// Outside the plain range the exponent is always < -4 or >= 6, so only the 'e' form is needed.
function formatScientific(v: number): string {
  // toExponential() without an argument yields the same shortest round-trip digits as toString.
  const s = v.toExponential();
  const e = s.indexOf("e");
  const mantissa = s.slice(0, e);
  const exp = Number(s.slice(e + 1));
  const sign = exp < 0 ? "-" : "+";
  const abs = exp < 0 ? -exp : exp;
  return mantissa + "e" + sign + (abs < 10 ? "0" + abs : String(abs));
}
