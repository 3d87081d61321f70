/**
 * Hostile label input cannot take the exporter down (issue 11): a regexp decoder whose patterns
 * backtrack exponentially in a JS RegExp still answers over real ksym labels, and a process that
 * names itself with invalid UTF-8 costs neither its metric family nor the scrape.
 */

import assert from "node:assert/strict";
import {
  causeTimers,
  kernelTest,
  note,
  parseExposition,
  ROOT,
  TIMEOUT_SCALE,
  waitUntil,
  withExporter,
} from "./harness.ts";
import { EXAMPLES, samples, tracepointMissing } from "./examples/common.ts";

const FIXTURES = `${ROOT}/tests/fixtures/hostile`;
// A hang check, not a timing: a linear-time scrape of these maps takes milliseconds.
const SCRAPE_LIMIT_MS = 60_000 * TIMEOUT_SCALE;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** GET /metrics, failing when it does not answer at all within the hang bound or is not UTF-8. */
async function boundedScrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(SCRAPE_LIMIT_MS) });
  const body = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200);
  return strictUtf8.decode(body);
}

/** Runs `body` with a temporary config dir holding `name`.yaml and `object` as `name`.bpf.o. */
async function withConfigDir<T>(
  name: string,
  object: string,
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-hostile-" });
  try {
    await Deno.copyFile(`${FIXTURES}/${name}.yaml`, `${dir}/${name}.yaml`);
    await Deno.copyFile(object, `${dir}/${name}.bpf.o`);
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

kernelTest("a pathological regexp over ksym hangs neither a scrape nor SIGTERM", async () => {
  const metric = "ebpf_exporter_timer_starts_total";
  let inflight: Promise<unknown> = Promise.resolve();
  await withConfigDir("hostile_ksym", `${EXAMPLES}/timers.bpf.o`, async (dir) => {
    const args = ["--config.dir", dir, "--config.names", "hostile_ksym"];
    // withExporter sends SIGTERM after the body and fails unless the exporter exits 0 before
    // the harness's SIGKILL (10 s, scaled): the bounded wait for a prompt exit.
    await withExporter(args, {}, async (ex) => {
      let text = "";
      await waitUntil("timer functions to be counted", async () => {
        await causeTimers();
        text = await boundedScrape(ex.url);
        return samples(text, metric).length > 0;
      }, { timeoutMs: SCRAPE_LIMIT_MS });
      const functions = samples(text, metric).map((s) => s.labels.function ?? "");
      for (const f of functions) assert.match(f, /^[a-z_]+$/, `only the second pattern matches`);
      const longest = Math.max(...functions.map((f) => f.length));
      note(`${functions.length} functions decoded, the longest ${longest} characters`);
      const m = parseExposition(text);
      assert.equal(m.get('ebpf_exporter_decoder_errors_total{config="hostile_ksym"}'), 0);
      // SIGTERM arrives while this scrape may still run: it must not hold the exit up.
      inflight = fetch(`${ex.url}/metrics`).then((r) => r.arrayBuffer()).catch(() => null);
    });
  });
  await inflight;
});

kernelTest("a command named with invalid UTF-8 keeps its family and is counted", async () => {
  if (await tracepointMissing("exceptions", "page_fault_user") !== null) return;
  const metric = "ebpf_exporter_page_faults_total";
  const repaired = "\uFFFD\uFFFD";
  const args = ["--config.dir", EXAMPLES, "--config.names", "page-faults"];
  await withExporter(args, {}, async (ex) => {
    // The shell renames itself to the bytes ff fe (octal for dash's printf), then grows a
    // string; its forked command substitutions keep that name and fault in pages too.
    const script = "printf '\\377\\376' > /proc/$$/comm; a=''; i=0; " +
      'while [ $i -lt 200 ]; do a="$a$(printf %0200d 0)"; i=$((i+1)); done';
    let text = "";
    await waitUntil("the renamed command's page faults to be counted", async () => {
      const out = await new Deno.Command("sh", { args: ["-c", script] }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      text = await boundedScrape(ex.url);
      return samples(text, metric).some((s) => s.labels.command === repaired);
    }, { timeoutMs: 30_000 });
    const all = samples(text, metric);
    const commands = new Set(all.map((s) => s.labels.command));
    assert.ok(commands.size >= 2, `the other commands' series stay:\n${text}`);
    const ours = all.filter((s) => s.labels.command === repaired);
    assert.ok(ours.reduce((n, s) => n + s.value, 0) > 0, text);
    const errors = parseExposition(text).get(
      'ebpf_exporter_decoder_errors_total{config="page-faults"}',
    );
    assert.ok((errors ?? 0) >= 1, `each repaired value is counted: ${errors}`);
  });
});
