/** Every registered decoder, fed random bytes, returns bytes or a skip, or throws DecodeError. */

import assert from "node:assert/strict";
import fc from "fast-check";
import type { DecoderName } from "../../src/config/decoder_names.ts";
import { DECODER_FACTORIES } from "../../src/decoders/registry.ts";
import { DecodeError, type DecodeState } from "../../src/decoders/types.ts";
import { build, conf, fakeContext, fixture, label, labelSet } from "../decoders/helpers.ts";
import { check } from "./runs.ts";

// Options that make each decoder usable; the rest need none.
const OPTIONS: Partial<Record<DecoderName, Parameters<typeof conf>[1]>> = {
  static_map: { static_map: { "1": "one", "2": "two", "3": "" } },
  regexp: { regexps: ["^a", "b+$", "^(?:x|yy)[0-9]*$"] },
};

// A host with a little of every table, so the lookups run rather than fail at the first read.
function host() {
  return fakeContext({
    files: {
      "/proc/kallsyms": "ffffffff81000000 T _stext\nffffffff81000100 t do_one\n",
      "/proc/partitions": "major minor  #blocks  name\n\n   8        0   1000 sda\n",
      "/usr/share/misc/pci.ids": fixture("pci.ids"),
    },
    dirs: { "/sys/fs/cgroup": [["system.slice", 5n]] },
    interfaces: [[1, "lo"], [2, "eth0"]],
    cgroupRoot: "/sys/fs/cgroup",
  }).ctx;
}

const names = Object.keys(DECODER_FACTORIES) as DecoderName[];

// Any bytes, and bytes of the sizes labels really have (where the decoders do their work).
const input = fc.oneof(
  fc.uint8Array({ maxLength: 72 }),
  fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 127 * 8).chain((n) =>
    fc.uint8Array({ minLength: n, maxLength: n })
  ),
);

for (const name of names) {
  Deno.test(`decoder "${name}" turns random bytes into bytes, a skip or a DecodeError`, () => {
    const ctx = host();
    const plain = build(conf(name, OPTIONS[name] ?? {}), ctx);
    const lenient = build(conf(name, { ...OPTIONS[name], allow_unknown: true }), ctx);
    check(
      fc.property(input, fc.boolean(), (input, allow) => {
        const state: DecodeState = { transient: false };
        const copy = input.slice();
        try {
          const out = (allow ? lenient : plain).decode(input, state);
          assert.ok(out === null || out instanceof Uint8Array);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
        assert.deepEqual(input, copy, "the input is not changed");
      }),
      300,
    );
  });
}

// Chains as configs write them: a decoder's output is the next one's input.
const CHAINS: DecoderName[][] = [
  ["string"],
  ["string", "regexp"],
  ["uint", "static_map"],
  ["hex", "regexp"],
  ["ksym"],
  ["kstack"],
  ["inet_ip", "string"],
  ["dname"],
];

Deno.test("label sets of random keys decode to strings, a skip or a DecodeError", () => {
  const ctx = host();
  check(
    fc.property(
      fc.array(
        fc.record({ chain: fc.constantFrom(...CHAINS), size: fc.constantFrom(1, 2, 4, 8, 16) }),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
      fc.uint8Array({ maxLength: 80 }),
      (labels, bytes) => {
        const configs = labels.map((l, i) =>
          label(`l${i}`, l.size, l.chain.map((n) => conf(n, OPTIONS[n] ?? {})))
        );
        const set = labelSet(configs, ctx);
        // Mostly keys of the right size, padded or cut from the random bytes.
        const key = new Uint8Array(set.keySize);
        key.set(bytes.subarray(0, set.keySize));
        for (const k of [key, bytes]) {
          try {
            const values = set.decode(k);
            if (values !== null) assert.equal(values.length, labels.length);
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
          }
        }
      },
    ),
    500,
  );
});
