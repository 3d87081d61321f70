import assert from "node:assert/strict";
import {
  configureLog,
  debug,
  error,
  formatLine,
  log,
  logfmtValue,
  redirectLog,
  warn,
} from "../src/log.ts";

const AT = new Date(Date.UTC(2026, 10, 29, 23, 5, 7, 42));

Deno.test("logfmt values are bare when plain and JSON-quoted otherwise", () => {
  assert.equal(logfmtValue("ready"), "ready");
  assert.equal(logfmtValue("127.0.0.1:9435"), "127.0.0.1:9435");
  assert.equal(logfmtValue(""), '""');
  assert.equal(logfmtValue("a b"), '"a b"');
  assert.equal(logfmtValue('say "hi"'), '"say \\"hi\\""');
  assert.equal(logfmtValue("k=v"), '"k=v"');
  assert.equal(logfmtValue("two\nlines"), '"two\\nlines"');
});

Deno.test("each format writes ts, level and msg as its readers expect", () => {
  const opts = { timestamps: true, level: "info" as const };
  assert.equal(
    formatLine({ ...opts, format: "logfmt" }, "warn", 'Failed "x"', AT),
    'ts=2026-11-29T23:05:07.042Z level=warn msg="Failed \\"x\\""\n',
  );
  assert.equal(
    formatLine({ ...opts, format: "json" }, "error", "bad\tthing", AT),
    '{"ts":"2026-11-29T23:05:07.042Z","level":"error","msg":"bad\\tthing"}\n',
  );
  assert.equal(
    formatLine({ ...opts, timestamps: false, format: "json" }, "info", "up", AT),
    '{"level":"info","msg":"up"}\n',
  );
  assert.equal(
    formatLine({ ...opts, timestamps: false, format: "logfmt" }, "debug", "x", AT),
    "level=debug msg=x\n",
  );
  assert.equal(formatLine({ ...opts, timestamps: false, format: "text" }, "warn", "m", AT), "m\n");
  // Upstream's local-time prefix.
  assert.match(
    formatLine({ ...opts, format: "text" }, "info", "m", AT),
    /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d m\n$/,
  );
});

Deno.test("lines below --log.level are dropped", () => {
  const lines: string[] = [];
  const restore = redirectLog((l) => lines.push(l));
  try {
    configureLog({ timestamps: false, level: "warn", format: "logfmt" });
    debug("d");
    log("i");
    warn("w");
    error("e");
    configureLog({ timestamps: false, level: "debug", format: "logfmt" });
    debug("d2");
  } finally {
    restore();
    configureLog({ timestamps: true, level: "info", format: "text" });
  }
  assert.deepEqual(lines, ["level=warn msg=w\n", "level=error msg=e\n", "level=debug msg=d2\n"]);
});
