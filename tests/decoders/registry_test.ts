import assert from "node:assert/strict";
import { DECODER_NAMES } from "../../src/config/decoder_names.ts";
import { createDecoder, DECODER_FACTORIES } from "../../src/decoders/registry.ts";
import { DecoderConfigError } from "../../src/decoders/types.ts";
import { conf, fakeContext } from "./helpers.ts";

Deno.test("registry has a factory for every decoder name and nothing else", () => {
  assert.deepEqual(Object.keys(DECODER_FACTORIES).sort(), [...DECODER_NAMES].sort());
});

Deno.test("registry rejects unknown decoder names, naming them", () => {
  assert.throws(() => createDecoder(conf("bananas"), fakeContext().ctx), DecoderConfigError);
  assert.throws(
    () => createDecoder(conf("bananas"), fakeContext().ctx),
    /Unknown decoder "bananas" at test\.yaml:7 \(metrics\.counters\[0\]\.labels\[0\]\.decoders\[0\]\)/,
  );
  assert.throws(() => createDecoder(conf("toString"), fakeContext().ctx), DecoderConfigError);
});
