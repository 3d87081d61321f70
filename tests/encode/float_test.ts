import assert from "node:assert/strict";
import { formatFloat } from "../../src/encode/float.ts";

// Spec 3.13 vectors, verified against Go's strconv.FormatFloat(v, 'g', -1, 64).
const SPEC_VECTORS: Array<[number, string]> = [
  [1, "1"],
  [0, "0"],
  [123456, "123456"],
  [999999.5, "999999.5"],
  [1000000, "1e+06"],
  [1048576, "1.048576e+06"],
  [12345678, "1.2345678e+07"],
  [0.0001, "0.0001"],
  [0.00001, "1e-05"],
  [0.000001, "1e-06"],
  [0.000016, "1.6e-05"],
  [0.000128, "0.000128"],
  [1824 * 0.000001, "0.0018239999999999999"],
  [134.217728, "134.217728"],
  [2 ** 64 - 1, "1.8446744073709552e+19"],
  [Infinity, "+Inf"],
  [-Infinity, "-Inf"],
  [NaN, "NaN"],
];

// Further values worked out from Go's rules: shortest digits, 'e' form iff exponent < -4 or >= 6,
// exponent signed with at least two digits.
const EXTRA_VECTORS: Array<[number, string]> = [
  [-0, "0"],
  [-1, "-1"],
  [2, "2"],
  [100, "100"],
  [999999, "999999"],
  [-999999, "-999999"],
  [-1000000, "-1e+06"],
  [1e6 + 1, "1.000001e+06"],
  [999999.9999999999, "999999.9999999999"],
  [0.1, "0.1"],
  [0.5, "0.5"],
  [1 / 3, "0.3333333333333333"],
  [123456.789, "123456.789"],
  [0.00012345, "0.00012345"],
  [9.999999999999999e-5, "9.999999999999999e-05"],
  [1.5e-7, "1.5e-07"],
  [1e-9, "1e-09"],
  [2 ** -20, "9.5367431640625e-07"],
  [1e21, "1e+21"],
  [1.234e22, "1.234e+22"],
  [2 ** 53, "9.007199254740992e+15"],
  [1e100, "1e+100"],
  [1e-100, "1e-100"],
  [5e-324, "5e-324"],
  [Number.MAX_VALUE, "1.7976931348623157e+308"],
  [-2.5e-5, "-2.5e-05"],
  [0.000001 * 3, "3e-06"],
  [0.1 + 0.2, "0.30000000000000004"],
  [1e15 + 0.5, "1.0000000000000005e+15"],
  [1e15, "1e+15"],
  [123450000, "1.2345e+08"],
  [-1234567, "-1.234567e+06"],
  [9999999999, "9.999999999e+09"],
  [10000000000, "1e+10"],
  [2 ** 53 - 1, "9.007199254740991e+15"],
  [2 ** 53 + 2, "9.007199254740994e+15"],
];

for (const [v, want] of [...SPEC_VECTORS, ...EXTRA_VECTORS]) {
  Deno.test(`formatFloat writes ${Object.is(v, -0) ? "-0" : String(v)} as ${want}`, () => {
    assert.equal(formatFloat(v), want);
  });
}

Deno.test("exp2 bucket bounds with a microsecond multiplier print like Go", () => {
  assert.deepEqual([0, 1, 2].map((i) => formatFloat(2 ** i * 0.000001)), [
    "1e-06",
    "2e-06",
    "4e-06",
  ]);
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

function randomDoubles(count: number, seed: number): number[] {
  const rand = prng(seed);
  const view = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  while (out.length < count) {
    view.setUint32(0, (rand() * 2 ** 32) >>> 0);
    view.setUint32(4, (rand() * 2 ** 32) >>> 0);
    const v = view.getFloat64(0);
    if (Number.isFinite(v)) out.push(v);
  }
  // Also values near the plain/exponent boundaries and typical counter magnitudes.
  for (let i = 0; i < count; i++) {
    out.push((rand() - 0.5) * 10 ** Math.floor(rand() * 16 - 8));
    out.push(Math.floor(rand() * 2 ** 53));
  }
  return out;
}

function goStyle(v: number): RegExp {
  return v < 0
    ? /^-(?:\d+(?:\.\d+)?|\d(?:\.\d+)?e[+-]\d{2,3})$/
    : /^(?:\d+(?:\.\d+)?|\d(?:\.\d+)?e[+-]\d{2,3})$/;
}

Deno.test("formatFloat round-trips random doubles with Go's layout rules", () => {
  for (const v of randomDoubles(5000, 42)) {
    const s = formatFloat(v);
    assert.equal(Number(s), v === 0 ? 0 : v, `round trip of ${v} via ${s}`);
    assert.match(s, goStyle(v), `layout of ${v}`);
    const plain = !s.includes("e");
    const exp = Math.floor(Math.log10(Math.abs(v)));
    if (v !== 0 && Math.abs(exp) < 300) {
      // log10 can be off by one at exact powers of ten; the boundary vectors cover those.
      const near = Math.abs(Math.log10(Math.abs(v)) - Math.round(Math.log10(Math.abs(v)))) < 1e-9;
      if (!near) assert.equal(plain, exp >= -4 && exp < 6, `form of ${v} (${s})`);
    }
  }
});

Deno.test("formatFloat uses the same shortest digits as Number#toString", () => {
  const digits = (s: string) => {
    const m = s.replace(/^-/, "").split("e")[0] as string;
    return m.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  };
  for (const v of randomDoubles(5000, 7)) {
    if (v === 0) continue;
    assert.equal(digits(formatFloat(v)), digits(String(v)), `digits of ${v}`);
  }
});
