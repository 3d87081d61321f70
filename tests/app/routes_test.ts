import assert from "node:assert/strict";
import { metricsRoutes, wantsProtobuf } from "../../src/app/routes.ts";
import { type Flags, parseCommandLine } from "../../src/cli.ts";
import { CONTENT_TYPE_PROTOBUF } from "../../src/encode/protobuf.ts";
import { CONTENT_TYPE_TEXT } from "../../src/encode/text.ts";
import { handler } from "../../src/server.ts";
import { readRecording, recordedExporter } from "../e2e/pipeline.ts";
import { decodeDelimited } from "../encode/proto_decode.ts";

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

Deno.test("the metrics route answers Prometheus' protobuf request in protobuf, others in text", async () => {
  const command = parseCommandLine(["--config.dir", "examples", "--config.names", "syscalls"]);
  assert.equal(command.kind, "run");
  const exporter = recordedExporter("syscalls", readRecording("syscalls"));
  try {
    const h = handler(metricsRoutes((command as { flags: Flags }).flags, exporter));
    const proto = await h(
      new Request("http://x/metrics", { headers: { accept: `${PROTO};q=0.7,text/plain;q=0.3` } }),
    );
    assert.equal(proto.headers.get("content-type"), CONTENT_TYPE_PROTOBUF);
    const families = decodeDelimited(new Uint8Array(await proto.arrayBuffer()));
    assert.ok(families.some((f) => f.name === "ebpf_exporter_syscall_latency_seconds"));
    for (const accept of [null, "text/plain;version=0.0.4", "*/*"]) {
      const headers: HeadersInit = accept === null ? {} : { accept };
      const text = await h(new Request("http://x/metrics", { headers }));
      assert.equal(text.headers.get("content-type"), CONTENT_TYPE_TEXT);
      assert.match(await text.text(), /^# HELP /);
    }
  } finally {
    exporter.close();
  }
});
