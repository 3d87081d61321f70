import assert from "node:assert/strict";
import { parseCommandLine, parseListenAddress, usage, UsageError } from "../src/cli.ts";

function run(argv: string[]) {
  const c = parseCommandLine(argv);
  assert.equal(c.kind, "run");
  return (c as Extract<typeof c, { kind: "run" }>).flags;
}

Deno.test("flags take both --flag=value and --flag value forms", () => {
  const a = run(["--config.names=timers", "--web.listen-address", "127.0.0.1:9999"]);
  assert.deepEqual(a.configNames, ["timers"]);
  assert.equal(a.listenAddress, "127.0.0.1:9999");
});

Deno.test("defaults match upstream", () => {
  const f = run(["--config.names", "timers"]);
  assert.equal(f.listenAddress, ":9435");
  assert.equal(f.telemetryPath, "/metrics");
  assert.equal(f.capabilitiesKeep, "all");
  assert.equal(f.configSkipCacheSize, 0);
  assert.equal(f.configCheck, false);
  assert.equal(f.configCheckAttach, false);
  assert.equal(f.configStrict, false);
  assert.equal(f.debug, false);
  assert.equal(f.configDir, null);
  assert.equal(f.btfPath, null);
});

Deno.test("--config.check and --config.check-attach are separate flags with their own help", () => {
  const check = run(["--config.names=x", "--config.check"]);
  assert.deepEqual([check.configCheck, check.configCheckAttach], [true, false]);
  const attach = run(["--config.names=x", "--config.check-attach"]);
  assert.deepEqual([attach.configCheck, attach.configCheckAttach], [false, true]);
  const help = usage();
  assert.match(help, /--\[no-\]config\.check +Check configs against their objects without loading/);
  assert.match(help, /--\[no-\]config\.check-attach +Load and attach every config, then exit\n/);
});

Deno.test("config.names accumulates across repeats", () => {
  const f = run(["--config.names", "a,b", "--config.names=c"]);
  assert.deepEqual(f.configNames, ["a,b", "c"]);
});

Deno.test("boolean flags accept --no- prefix", () => {
  const f = run(["--config.names=x", "--debug", "--no-debug", "--config.strict"]);
  assert.equal(f.debug, false);
  assert.equal(f.configStrict, true);
});

Deno.test("missing config.names is a usage error", () => {
  assert.throws(() => parseCommandLine([]), UsageError);
});

Deno.test("unknown flags and stray arguments are usage errors", () => {
  assert.throws(() => parseCommandLine(["--config.names=x", "--bogus"]), UsageError);
  assert.throws(
    () => parseCommandLine(["--config.names=x", "stray"]),
    /unexpected argument "stray"/,
  );
});

Deno.test("help and version win over other flags", () => {
  assert.deepEqual(parseCommandLine(["--help"]), { kind: "help" });
  assert.deepEqual(parseCommandLine(["-h"]), { kind: "help" });
  assert.deepEqual(parseCommandLine(["--version"]), { kind: "version" });
});

Deno.test("--config.schema is a one-shot command that needs no --config.names", () => {
  assert.deepEqual(parseCommandLine(["--config.schema"]), { kind: "schema" });
  assert.deepEqual(parseCommandLine(["--config.names=x", "--config.schema"]), { kind: "schema" });
  assert.equal(parseCommandLine(["--config.names=x", "--no-config.schema"]).kind, "run");
});

Deno.test("bad skip cache size and telemetry path are rejected", () => {
  assert.throws(
    () => parseCommandLine(["--config.names=x", "--config.skip-cache-size=-1"]),
    /skip-cache-size/,
  );
  assert.throws(
    () => parseCommandLine(["--config.names=x", "--web.telemetry-path=metrics"]),
    /telemetry-path/,
  );
});

Deno.test("listen addresses parse like Go's host:port", () => {
  assert.deepEqual(parseListenAddress(":9435"), { kind: "tcp", hostname: "", port: 9435 });
  assert.deepEqual(parseListenAddress("127.0.0.1:80"), {
    kind: "tcp",
    hostname: "127.0.0.1",
    port: 80,
  });
  assert.deepEqual(parseListenAddress("[::1]:9435"), { kind: "tcp", hostname: "::1", port: 9435 });
  assert.deepEqual(parseListenAddress("fd://0"), { kind: "fd", index: 0 });
  assert.deepEqual(parseListenAddress("fd://2"), { kind: "fd", index: 2 });
  assert.throws(() => parseListenAddress("fd://x"), /error extracting fd number from "fd:\/\/x"/);
  assert.throws(() => parseListenAddress("9435"), UsageError);
  assert.throws(() => parseListenAddress("host:99999"), /out of range/);
});

Deno.test("--config.max-size defaults to 4 MiB and takes a positive byte count", () => {
  const size = (args: string[]) => {
    const cmd = parseCommandLine(["--config.names=x", ...args]);
    return cmd.kind === "run" ? cmd.flags.configMaxSize : null;
  };
  assert.equal(size([]), 4 * 1024 * 1024);
  assert.equal(size(["--config.max-size=100"]), 100);
  for (const bad of ["0", "-1", "4MiB", "1e6", ""]) {
    assert.throws(() => size([`--config.max-size=${bad}`]), {
      name: "UsageError",
      message: `--config.max-size must be a positive integer of bytes, got "${bad}"`,
    });
  }
});

Deno.test("scrape guard flags: defaults, durations and zero for no limit", () => {
  const d = run(["--config.names=x"]);
  assert.deepEqual([d.metricsMaxSeries, d.metricsConfigTimeoutMs], [1_000_000, 5000]);
  const f = run(["--config.names=x", "--metrics.max-series=0", "--metrics.config-timeout=0"]);
  assert.deepEqual([f.metricsMaxSeries, f.metricsConfigTimeoutMs], [0, 0]);
  const ms = run(["--config.names=x", "--metrics.config-timeout=1500ms"]);
  assert.equal(ms.metricsConfigTimeoutMs, 1500);
  const s = run(["--config.names=x", "--metrics.config-timeout=2.5s"]);
  assert.equal(s.metricsConfigTimeoutMs, 2500);
  for (const bad of ["5", "-1s", "1h", "s", ""]) {
    assert.throws(
      () => parseCommandLine(["--config.names=x", `--metrics.config-timeout=${bad}`]),
      UsageError,
    );
  }
  assert.throws(
    () => parseCommandLine(["--config.names=x", "--metrics.max-series=1e6"]),
    /--metrics.max-series must be a non-negative integer, got "1e6"/,
  );
});

Deno.test("command-line mistakes are told in our words, with the closest flag", () => {
  const cases: [string[], string][] = [
    [["--config.name=timers"], "unknown flag --config.name (did you mean --config.names?)"],
    [
      ["--config.names=x", "--web.listen-adress=:1"],
      "unknown flag --web.listen-adress (did you mean --web.listen-address?)",
    ],
    [["-config.names=x"], "unknown flag -config.names (did you mean --config.names?)"],
    [["--config.names=x", "--frobnicate"], "unknown flag --frobnicate"],
    [["--config.names"], "flag --config.names needs a value, as in --config.names=VALUE"],
    [
      ["--config.names", "--debug"],
      "flag --config.names needs a value, as in --config.names=VALUE",
    ],
    [
      ["--config.names=x", "--config.skip-cache-size", "-1"],
      "flag --config.skip-cache-size needs a value, as in --config.skip-cache-size=VALUE",
    ],
    [["--config.names=x", "--debug=1"], 'flag --debug takes no value, got "--debug=1"'],
    [["--config.names=x", "--no-debug=1"], 'flag --no-debug takes no value, got "--no-debug=1"'],
    [
      ["--config.names=x", "--log.level=verbose"],
      '--log.level must be one of debug, info, warn, error, got "verbose"',
    ],
    [
      ["--config.names=x", "--log.format=xml"],
      '--log.format must be one of text, logfmt, json, got "xml"',
    ],
    [
      ["--config.names=x", "--web.listen-address=:70000"],
      '--web.listen-address port out of range in ":70000": ports go from 0 to 65535',
    ],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseCommandLine(argv), (e: Error) => {
      assert.ok(e instanceof UsageError, `${argv.join(" ")}: ${e}`);
      assert.equal(e.message, message);
      return true;
    });
  }
});

Deno.test("--log.level and --log.format default to info and upstream's text lines", () => {
  const f = run(["--config.names=x"]);
  assert.equal(f.logLevel, "info");
  assert.equal(f.logFormat, "text");
  const g = run(["--config.names=x", "--log.level", "debug", "--log.format=json"]);
  assert.equal(g.logLevel, "debug");
  assert.equal(g.logFormat, "json");
});
