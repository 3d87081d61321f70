/** Flag parsing: any argv gives a command or a UsageError, and valid counts parse exactly. */

import assert from "node:assert/strict";
import fc from "fast-check";
import { parseCommandLine, parseDurationMs, UsageError } from "../../src/cli.ts";
import { check } from "./runs.ts";

const FLAGS = [
  "config.dir",
  "config.names",
  "config.check",
  "config.check-attach",
  "config.list",
  "config.strict",
  "config.skip-cache-size",
  "metrics.max-series",
  "metrics.config-timeout",
  "debug",
  "log.no-timestamps",
  "web.listen-address",
  "web.telemetry-path",
  "capabilities.keep",
  "btf.path",
  "libbpf.path",
  "help",
  "version",
  "nope",
];

const value = fc.oneof(
  fc.constantFrom("", "0", "-1", "1e3", "5s", "1500ms", ":9435", "[::1]:80", "/m", "x,y", "true"),
  fc.string({ unit: "binary", maxLength: 12 }),
);

const token = fc.oneof(
  fc.record({ flag: fc.constantFrom(...FLAGS), v: value }).map(({ flag, v }) => `--${flag}=${v}`),
  fc.constantFrom(...FLAGS).map((f) => `--${f}`),
  fc.constantFrom(...FLAGS).map((f) => `--no-${f}`),
  fc.constantFrom("-h", "-x", "--", "-", "--=", "---", "-hh"),
  value,
);

Deno.test("random argv parses to a command or throws UsageError", () => {
  check(
    fc.property(fc.array(token, { maxLength: 8 }), fc.boolean(), (argv, named) => {
      const args = named ? ["--config.names=a", ...argv] : argv;
      try {
        const cmd = parseCommandLine(args);
        assert.ok(["run", "help", "version", "list"].includes(cmd.kind));
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
      }
    }),
    2000,
  );
});

Deno.test("counts and durations parse to exactly the number given", () => {
  check(
    fc.property(
      fc.integer({ min: 0, max: 10 ** 15 - 1 }),
      fc.integer({ min: 1, max: 10 ** 9 - 1 }),
      fc.constantFrom("ms", "s", "m"),
      (n, d, unit) => {
        const cmd = parseCommandLine([
          "--config.names=a",
          `--metrics.max-series=${n}`,
          `--metrics.config-timeout=${d}${unit}`,
        ]);
        assert.equal(cmd.kind, "run");
        if (cmd.kind !== "run") return;
        assert.equal(cmd.flags.metricsMaxSeries, n);
        const scale = { ms: 1, s: 1000, m: 60_000 }[unit];
        assert.equal(cmd.flags.metricsConfigTimeoutMs, d * scale);
        assert.equal(parseDurationMs("f", `${d}${unit}`), d * scale);
      },
    ),
    500,
  );
});
