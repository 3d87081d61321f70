/**
 * docs/tutorial.md, followed step by step: its files are the ones in docs/tutorial/, its
 * compile block builds them in an empty directory, the exporter serves them, its `dd` makes
 * writes, and every metric line of its output block appears in a scrape.
 */

import assert from "node:assert/strict";
import { kernelTest, reportedProgramIds, ROOT, waitProgramsGone, withExporter } from "./harness.ts";
import { metrics, valueOf } from "./examples/common.ts";

const DOC = `${ROOT}/docs/tutorial.md`;
const FILES = `${ROOT}/docs/tutorial`;
const NAME = "first-metric";
const WRITES = 100;

/** The body of the fenced block whose info string is exactly `info`. */
function block(text: string, info: string): string {
  const start = text.indexOf("```" + info + "\n");
  assert.ok(start >= 0, `docs/tutorial.md has no \`\`\`${info} block`);
  const body = start + info.length + 4;
  return text.slice(body, text.indexOf("```", body));
}

/** `name{labels}` of an exposition line. */
function seriesOf(line: string): string {
  return line.slice(0, line.lastIndexOf(" "));
}

async function bash(script: string, cwd: string): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: ["-euo", "pipefail", "-c", script],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${script}\nfailed: ${err}`);
}

Deno.test("the tutorial shows its program and config exactly as docs/tutorial/ holds them", () => {
  const doc = Deno.readTextFileSync(DOC);
  assert.equal(block(doc, "c"), Deno.readTextFileSync(`${FILES}/${NAME}.bpf.c`));
  assert.equal(block(doc, "yaml"), Deno.readTextFileSync(`${FILES}/${NAME}.yaml`));
});

kernelTest("the tutorial's steps give the metric lines it shows", async () => {
  const doc = Deno.readTextFileSync(DOC);
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-tutorial-" });
  let ids: number[] = [];
  try {
    for (const ext of [".bpf.c", ".yaml"]) {
      await Deno.copyFile(`${FILES}/${NAME}${ext}`, `${dir}/${NAME}${ext}`);
    }
    const arch = Deno.build.arch === "aarch64" ? "arm64" : "x86";
    await bash(
      block(doc, "sh step=compile").replace("__TARGET_ARCH_x86", `__TARGET_ARCH_${arch}`),
      dir,
    );
    await withExporter(["--config.dir", dir, "--config.names", NAME], {}, async (ex) => {
      ids = reportedProgramIds(await metrics(ex));
      assert.ok(ids.length > 0, "no program reported");
      // The events block's commands other than the scrape, which the test makes itself.
      const events = block(doc, "sh step=events").split("\n").filter((l) => /^dd /.test(l));
      assert.equal(events.length, 1, "the events block has one dd command");
      await bash(events[0]!, dir);
      const text = await metrics(ex);
      const lines = new Set(text.split("\n"));
      const series = new Set(text.split("\n").filter((l) => !l.startsWith("#")).map(seriesOf));
      for (const line of block(doc, "text output").trimEnd().split("\n")) {
        if (line.startsWith("#")) assert.ok(lines.has(line), `missing: ${line}\n${text}`);
        else assert.ok(series.has(seriesOf(line)), `missing: ${seriesOf(line)}\n${text}`);
      }
      const name = "ebpf_exporter_first_write_calls_total";
      assert.ok(valueOf(text, name, { comm: "dd" }) >= WRITES, text);
      const bucket = "ebpf_exporter_first_write_size_bytes_bucket";
      const in4096 = valueOf(text, bucket, { le: "4096" }) - valueOf(text, bucket, { le: "2048" });
      assert.ok(in4096 >= WRITES, `writes in (2048, 4096]: ${in4096}\n${text}`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await waitProgramsGone(ids);
});
