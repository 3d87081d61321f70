/**
 * How upstream's YAML library (go-yaml v2, YAML 1.1 rules) reads plain scalars as numbers and
 * booleans, so `size: 010`, `size: 1_024` or `perf_event_array: yes` mean what they mean there.
 */

const INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]);
const FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"]);

/** The number a plain scalar denotes (integer or float), or null when it is not a number. */
export function plainNumber(text: string): number | null {
  // go-yaml drops every underscore before trying the number forms.
  const plain = text.replaceAll("_", "");
  if (INT.test(plain)) return parseInteger(plain);
  if (FLOAT.test(plain)) return Number(plain);
  return null;
}

/** The boolean a plain scalar denotes, or null when it is not a boolean. */
export function plainBoolean(text: string): boolean | null {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return null;
}

function parseInteger(plain: string): number {
  const negative = plain.startsWith("-");
  const digits = plain.replace(/^[-+]/, "");
  let value: bigint;
  if (/^0[oO]/.test(digits)) value = BigInt(`0o${digits.slice(2)}`);
  else if (/^0[0-7]+$/.test(digits)) value = BigInt(`0o${digits.slice(1)}`); // C-style octal
  else value = BigInt(digits); // decimal, 0x and 0b
  return Number(negative ? -value : value);
}
