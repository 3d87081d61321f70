import assert from "node:assert/strict";
import { wantsProtobuf } from "../../src/app/routes.ts";

const PROTO = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
  "encoding=delimited";

Deno.test("wantsProtobuf: Prometheus with native histograms on gets protobuf", () => {
  // Prometheus 2.42 (Debian) with --enable-feature=native-histograms, as recorded by
  // tests/kernel/native_histogram_test.ts.
  assert.equal(
    wantsProtobuf(
      `${PROTO},application/openmetrics-text;version=1.0.0;q=0.8,` +
        "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    ),
    true,
  );
  assert.equal(wantsProtobuf(PROTO), true);
  assert.equal(wantsProtobuf(`${PROTO};q=0.7,text/plain;version=0.0.4;q=0.3`), true);
  assert.equal(
    wantsProtobuf(
      " Application/Vnd.Google.Protobuf ; Proto=io.prometheus.client.MetricFamily ; Encoding=delimited",
    ),
    true,
  );
});

Deno.test("wantsProtobuf: everything else keeps the text format", () => {
  assert.equal(wantsProtobuf(null), false);
  assert.equal(wantsProtobuf(""), false);
  assert.equal(wantsProtobuf("*/*"), false);
  // Prometheus without the feature flag.
  assert.equal(
    wantsProtobuf(
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;" +
        "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    ),
    false,
  );
  assert.equal(wantsProtobuf(`${PROTO};q=0`), false);
  assert.equal(wantsProtobuf(`text/plain;q=0.9,${PROTO};q=0.5`), false);
  // Text encoding of protobuf, or another message, is not what we write.
  assert.equal(
    wantsProtobuf(
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text",
    ),
    false,
  );
  assert.equal(
    wantsProtobuf("application/vnd.google.protobuf;proto=other.Message;encoding=delimited"),
    false,
  );
  assert.equal(wantsProtobuf(`${PROTO};q=bad`), false);
});
