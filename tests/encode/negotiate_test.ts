import assert from "node:assert/strict";
import {
  acceptableFormats,
  acceptsGzip,
  type ExpositionFormat,
  negotiate,
  parseAccept,
} from "../../src/encode/negotiate.ts";

const ALL = new Set<ExpositionFormat>(["protobuf", "openmetrics", "text"]);
const NO_PROTOBUF = new Set<ExpositionFormat>(["openmetrics", "text"]);

// Read from the Debian prometheus 2.42.0 binary (`strings /usr/bin/prometheus`).
const PROM2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;" +
  "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const PROM2_NATIVE = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/" +
  "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
// What Prometheus 3's acceptHeader() builds for its default scrape_protocols (escaping added to
// the 1.0.0 formats, weights counting down from 0.6), and with PrometheusProto put first.
const PROM3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6," +
  "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;" +
  "escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
const PROM3_NATIVE = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;" +
  "q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3," +
  "*/*;q=0.2";

Deno.test("Prometheus 2.42's default header ranks OpenMetrics first, then text", () => {
  // The closing */* admits protobuf too, last.
  assert.deepEqual(acceptableFormats(PROM2), ["openmetrics", "text", "protobuf"]);
  assert.equal(negotiate(PROM2, ALL), "openmetrics");
});

Deno.test("Prometheus 2.42 with native histograms asks for protobuf first", () => {
  assert.deepEqual(acceptableFormats(PROM2_NATIVE), ["protobuf", "openmetrics", "text"]);
  assert.equal(negotiate(PROM2_NATIVE, ALL), "protobuf");
});

Deno.test("protobuf without a registered encoder falls through to the client's next choice", () => {
  assert.equal(negotiate(PROM2_NATIVE, NO_PROTOBUF), "openmetrics");
  assert.equal(negotiate(PROM3_NATIVE, NO_PROTOBUF), "openmetrics");
  assert.equal(negotiate(PROM2_NATIVE, new Set<ExpositionFormat>(["text"])), "text");
});

Deno.test("Prometheus 3's headers, with and without protobuf", () => {
  assert.deepEqual(acceptableFormats(PROM3), ["openmetrics", "text", "protobuf"]);
  assert.deepEqual(acceptableFormats(PROM3_NATIVE), ["protobuf", "openmetrics", "text"]);
});

Deno.test("no header, an empty one and curl's */* get text 0.0.4", () => {
  assert.equal(negotiate(null, ALL), "text");
  assert.equal(negotiate("", ALL), "text");
  assert.equal(negotiate("*/*", ALL), "text");
  assert.deepEqual(acceptableFormats("*/*"), ["text", "openmetrics", "protobuf"]);
});

Deno.test("q=0 excludes a format, also against a wildcard", () => {
  assert.deepEqual(acceptableFormats("text/plain;q=0, */*"), ["openmetrics", "protobuf"]);
  assert.equal(negotiate("text/plain;q=0, */*", NO_PROTOBUF), "openmetrics");
  assert.deepEqual(
    acceptableFormats("application/openmetrics-text;q=0,text/plain;version=0.0.4;q=0.2"),
    ["text"],
  );
  // Nothing acceptable that we write: the default, as client_golang answers.
  assert.deepEqual(acceptableFormats("text/plain;q=0"), []);
  assert.equal(negotiate("text/plain;q=0", ALL), "text");
});

Deno.test("type wildcards cover only their type", () => {
  assert.deepEqual(acceptableFormats("application/*"), ["openmetrics", "protobuf"]);
  assert.deepEqual(acceptableFormats("text/*;q=0.5, application/*;q=0.4"), [
    "text",
    "openmetrics",
    "protobuf",
  ]);
  assert.deepEqual(acceptableFormats("application/*;q=0, */*;q=0.1"), ["text"]);
});

Deno.test("versions and protobuf encodings we do not write are not matched", () => {
  assert.deepEqual(acceptableFormats("text/plain;version=2.0.0"), []);
  assert.deepEqual(acceptableFormats("application/openmetrics-text;version=2.0.0"), []);
  const proto = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily";
  assert.deepEqual(acceptableFormats(proto + ";encoding=text"), []);
  assert.deepEqual(acceptableFormats(proto), []);
  assert.deepEqual(acceptableFormats(proto + ";encoding=delimited"), ["protobuf"]);
  assert.deepEqual(
    acceptableFormats("application/vnd.google.protobuf;proto=other.Message;encoding=delimited"),
    [],
  );
});

Deno.test("case, spaces and quoted parameters are tolerated", () => {
  assert.deepEqual(
    acceptableFormats(' Application/OpenMetrics-Text ; Version="1.0.0" ; Q=0.9 , TEXT/plain;q=1'),
    ["text", "openmetrics"],
  );
});

Deno.test("equal q-values keep the header's order", () => {
  assert.deepEqual(acceptableFormats("application/openmetrics-text, text/plain"), [
    "openmetrics",
    "text",
  ]);
  assert.deepEqual(acceptableFormats("text/plain, application/openmetrics-text"), [
    "text",
    "openmetrics",
  ]);
});

Deno.test("malformed ranges are skipped, the rest still count", () => {
  assert.equal(parseAccept("garbage, /plain, text/, */plain, ;;;, ,").length, 0);
  assert.deepEqual(acceptableFormats("garbage,application/openmetrics-text"), ["openmetrics"]);
  // A q outside [0, 1] or not a number drops its range.
  assert.deepEqual(acceptableFormats("application/openmetrics-text;q=2,text/plain;q=0.1"), [
    "text",
  ]);
  assert.deepEqual(acceptableFormats("application/openmetrics-text;q=abc"), []);
  assert.deepEqual(acceptableFormats("application/openmetrics-text;q=0.0001"), []);
  assert.equal(negotiate("application/openmetrics-text;q=x", ALL), "text");
  assert.equal(negotiate(",,,;q=;", ALL), "text");
});

Deno.test("parseAccept keeps parameters and q", () => {
  const [r] = parseAccept("text/plain; version=0.0.4; q=0.5");
  assert.ok(r);
  assert.equal(r.type, "text");
  assert.equal(r.subtype, "plain");
  assert.equal(r.q, 0.5);
  assert.deepEqual([...r.params], [["version", "0.0.4"]]);
});

Deno.test("acceptsGzip follows q-values, with * as the fallback", () => {
  const yes = ["gzip", "GZIP", " gzip ; q=0.5", "x-gzip", "*", "deflate, *;q=0.1", "gzip;q=1.0"];
  const no = [
    null,
    "",
    "identity",
    "gzip;q=0",
    "gzip;q=0.0",
    "*;q=0",
    "*, gzip;q=0",
    "br",
    "gzip;q=x",
  ];
  for (const h of yes) assert.equal(acceptsGzip(h), true, String(h));
  for (const h of no) assert.equal(acceptsGzip(h), false, String(h));
});
