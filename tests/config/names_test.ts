import assert from "node:assert/strict";
import { ConfigError, parseConfigNames } from "../../src/config/load.ts";

Deno.test("config names are split on commas across repeated flags", () => {
  assert.deepEqual(parseConfigNames(["timers,biolatency", "xfsdist"]), [
    "timers",
    "biolatency",
    "xfsdist",
  ]);
});

Deno.test("spaces around config names are ignored", () => {
  assert.deepEqual(parseConfigNames(["timers, biolatency"]), ["timers", "biolatency"]);
});

Deno.test("an empty config name is rejected with the flag value", () => {
  for (const value of ["timers,", ",timers", "a,,b", ""]) {
    assert.throws(() => parseConfigNames([value]), {
      name: "ConfigError",
      message: `Cannot use --config.names ${JSON.stringify(value)}: empty config name`,
    });
  }
});

Deno.test("a config name given twice is rejected, also across flags", () => {
  for (const raw of [["timers,timers"], ["timers", "biolatency,timers"]]) {
    assert.throws(() => parseConfigNames(raw), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        'Cannot use --config.names: config "timers" is given more than once',
      );
      return true;
    });
  }
});

Deno.test("no config names at all is rejected", () => {
  assert.throws(() => parseConfigNames([]), {
    message: "Cannot use --config.names: no config names given",
  });
});
