import assert from "node:assert/strict";
import { recordedMap, type RecordedMapData } from "../../src/exporter/recorded_map.ts";
import { encodeText } from "../../src/encode/text.ts";
import { fakeHost } from "../e2e/host.ts";
import { exampleExporter, readRecording } from "../e2e/pipeline.ts";

// The signals recording with entry 0's sender "bash" starting with the bytes ff fe: one label
// value that is not UTF-8 must cost neither its row nor the signals_total family.
const base = readRecording("signals").maps.signals_total!;
const renamed: RecordedMapData = {
  ...base,
  entries: base.entries.map((e, i) => i === 0 ? { ...e, key: "fffe" + e.key.slice(4) } : e),
};

Deno.test("a label value of invalid UTF-8 is repaired and counted, its family kept", async () => {
  const exporter = exampleExporter("signals", fakeHost({}));
  exporter.attachSources(
    new Map([["signals", new Map([["signals_total", recordedMap(renamed)]])]]),
  );
  try {
    for (const scrape of [1, 2]) {
      const text = encodeText(await exporter.collect());
      const series = text.split("\n").filter((l) => l.startsWith("ebpf_exporter_signals_total{"));
      assert.equal(series.length, base.entries.length, `scrape ${scrape}: every row is kept`);
      assert.ok(
        series.includes(
          'ebpf_exporter_signals_total{receiver="bash",result="delivered",' +
            'sender="\uFFFD\uFFFDsh",signal="SIGCHLD"} 5',
        ),
        text,
      );
      // Counted when decoded; the decode cache keeps the key, so the second scrape adds nothing.
      assert.match(text, /^ebpf_exporter_decoder_errors_total\{config="signals"\} 1$/m);
    }
  } finally {
    exporter.close();
  }
});
