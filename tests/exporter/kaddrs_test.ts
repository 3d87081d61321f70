import assert from "node:assert/strict";
import { parseKallsymsAddresses } from "../../src/exporter/kaddrs.ts";

Deno.test("kallsyms addresses parse by exact name, module symbols keep their suffix", () => {
  const m = parseKallsymsAddresses(
    [
      "ffffffff81000000 T _stext",
      "ffffffffc0a01000 t commit_timeout\t[jbd2]",
      "not-hex T broken",
      "ffffffff81000010 T two fields only extra",
      "",
    ].join("\n"),
  );
  assert.equal(m.get("_stext"), 0xffffffff81000000n);
  assert.equal(m.get("commit_timeout\t[jbd2]"), 0xffffffffc0a01000n);
  assert.equal(m.has("broken"), false);
  assert.equal(m.size, 2);
});

Deno.test("the last of duplicate kallsyms names wins", () => {
  const m = parseKallsymsAddresses("0000000000000001 t dup\n0000000000000002 t dup\n");
  assert.equal(m.get("dup"), 2n);
});
