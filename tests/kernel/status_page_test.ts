/**
 * The operator's view of a running exporter with two configs, one of whose programs cannot
 * attach (a raw tracepoint that exists on no kernel): the status page as headless Chromium
 * renders it, its JSON twin, /-/healthy and /-/ready, and --log.format=json start-up lines.
 */

import assert from "node:assert/strict";
import { loadConfigs } from "../../src/config/load.ts";
import { Exporter } from "../../src/exporter/exporter.ts";
import { systemHost } from "../../src/host/system.ts";
import { handler } from "../../src/server.ts";
import type { StatusReport } from "../../src/status_page.ts";
import { readFileViaLibc } from "../../ffi/libc.ts";
import {
  kernelTest,
  reportedProgramIds,
  ROOT,
  scrape,
  sh,
  TIMEOUT_SCALE,
  withExporter,
} from "./harness.ts";

const DIR = `${ROOT}/tests/fixtures/attach`;
const TWO_CONFIGS = ["--config.dir", DIR, "--config.names", "attach_raw_tp,attach_nowhere"];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Runs headless Chromium (Debian's `chromium`, from TEST_PACKAGES) with `args` and `url`. */
async function chromium(profile: string, args: string[], url: string): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("chromium", {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        ...args,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000 * TIMEOUT_SCALE),
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error("chromium is not installed: `make deps-test` installs TEST_PACKAGES");
    }
    throw e;
  }
  const dec = new TextDecoder();
  if (out.code !== 0) throw new Error(`chromium exited ${out.code}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

kernelTest(
  "headless Chromium shows both configs, the failing program with its reason and a link to /metrics",
  async () => {
    const tmp = await Deno.makeTempDir({ prefix: "ebpf_exporter_status_" });
    try {
      await withExporter(TWO_CONFIGS, {}, async (ex) => {
        const ids = reportedProgramIds(await scrape(`${ex.url}/metrics`));
        const dom = await chromium(`${tmp}/profile`, ["--dump-dom"], `${ex.url}/`);
        assert.match(dom, /<section class="config" id="config-attach_raw_tp">/);
        assert.match(dom, /<section class="config" id="config-attach_nowhere">/);
        assert.match(dom, /1 of 1 programs attached/);
        assert.match(dom, /0 of 1 programs attached/);
        assert.match(
          dom,
          /<td>on_raw_tp<\/td><td><code>raw_tp\/sys_enter<\/code><\/td><td>(\d+)<\/td><td><span class="ok">attached<\/span>/,
        );
        const failing =
          /<td>on_nowhere<\/td><td><code>raw_tp\/ebpf_exporter_test_no_such_tracepoint<\/code><\/td><td>\d+<\/td><td><span class="bad">not attached<\/span>: ([^<]+)<\/td>/
            .exec(dom);
        assert.ok(failing, "the failing program's row");
        assert.match(failing[1]!, /Cannot attach program "on_nowhere" .*: \S/);
        assert.match(dom, /<a href="\/metrics">Metrics<\/a>/);
        // The page lists the same program ids the metrics report.
        for (const id of ids) assert.match(dom, new RegExp(`<td>${id}</td>`));
        // Scraped once above: each config shows that scrape.
        assert.equal(dom.match(/Last scrape \d{4}-\d\d-\d\dT/g)?.length, 2);

        const png = `${tmp}/status.png`;
        await chromium(
          `${tmp}/profile`,
          [`--screenshot=${png}`, "--window-size=1200,1000"],
          `${ex.url}/`,
        );
        const bytes = await Deno.readFile(png);
        assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE);
        const ihdr = new DataView(bytes.buffer, bytes.byteOffset + 16, 8);
        assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4)], [1200, 1000]);
        // Kept for a look after a run: EBPF_EXPORTER_STATUS_SCREENSHOT names where to copy it.
        const keep = Deno.env.get("EBPF_EXPORTER_STATUS_SCREENSHOT");
        if (keep !== undefined && keep !== "") await Deno.copyFile(png, keep);
      });
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

kernelTest("/status.json, /-/healthy and /-/ready report the running exporter", async () => {
  await withExporter(TWO_CONFIGS, {}, async (ex) => {
    const ids = reportedProgramIds(await scrape(`${ex.url}/metrics`));
    const res = await fetch(`${ex.url}/status.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const report = await res.json() as StatusReport;
    assert.deepEqual(report.configs.map((c) => c.name), ["attach_raw_tp", "attach_nowhere"]);
    const [raw, nowhere] = report.configs;
    assert.equal(raw!.programs[0]!.attached, true);
    assert.equal(raw!.programs[0]!.reason, null);
    assert.equal(nowhere!.programs[0]!.attached, false);
    assert.match(nowhere!.programs[0]!.reason!, /Cannot attach program "on_nowhere"/);
    assert.deepEqual(
      report.configs.flatMap((c) => c.programs.map((p) => p.id)).sort(),
      [...ids].sort(),
    );
    assert.deepEqual(raw!.maps, [
      { name: "raw_tp_events_total", type: "BPF_MAP_TYPE_ARRAY", entries: 1, maxEntries: 1 },
    ]);
    assert.equal(raw!.lastScrape.errors, 0);
    assert.notEqual(raw!.lastScrape.at, null);
    assert.match(report.kernel ?? "", /^\d+\.\d+/);
    assert.notEqual(report.libbpf, null);
    assert.deepEqual(report.ready, { ready: true, reason: null });

    const healthy = await fetch(`${ex.url}/-/healthy`);
    assert.equal([healthy.status, await healthy.text()].join(" "), "200 Healthy\n");
    const ready = await fetch(`${ex.url}/-/ready`);
    assert.equal([ready.status, await ready.text()].join(" "), "200 Ready\n");
  });
});

kernelTest(
  "/status.json has run counts and times while kernel.bpf_stats_enabled is on",
  async () => {
    const before = new TextDecoder().decode(readFileViaLibc("/proc/sys/kernel/bpf_stats_enabled"))
      .trim();
    try {
      await withExporter(TWO_CONFIGS, {}, async (ex) => {
        await sh("sysctl", ["-q", "-w", "kernel.bpf_stats_enabled=0"]);
        const off = await (await fetch(`${ex.url}/status.json`)).json() as StatusReport;
        assert.equal(off.bpfStats, false);
        assert.equal(off.configs[0]!.programs[0]!.runCount, null);
        await sh("sysctl", ["-q", "-w", "kernel.bpf_stats_enabled=1"]);
        // Every syscall on the machine runs the raw_tp/sys_enter program.
        await sh("sh", ["-c", "ls / >/dev/null; ls /usr >/dev/null"]);
        const on = await (await fetch(`${ex.url}/status.json`)).json() as StatusReport;
        assert.equal(on.bpfStats, true);
        const p = on.configs[0]!.programs[0]!;
        assert.ok(p.runCount! > 0, `run count ${p.runCount}`);
        assert.ok(p.runTimeNs! > 0, `run time ${p.runTimeNs}`);
        // The program that never attached never ran.
        assert.equal(on.configs[1]!.programs[0]!.runCount, 0);
      });
    } finally {
      // Other BPF users on the machine see the setting they had.
      await sh("sysctl", ["-q", "-w", `kernel.bpf_stats_enabled=${before}`]);
    }
  },
);

kernelTest(
  "/-/ready is 503 until the configs are loaded, and with --config.strict while a program is not attached",
  async () => {
    const exporter = new Exporter(loadConfigs(DIR, ["attach_raw_tp", "attach_nowhere"]), {
      host: systemHost(),
      skipCacheSize: 0,
      load: {},
    });
    const get = async (strict: boolean) => {
      const res = await handler({
        telemetryPath: "/metrics",
        metrics: () => Promise.reject(new Error("not scraped here")),
        ready: () => exporter.readiness(strict),
      })(new Request("http://x/-/ready"));
      return `${res.status} ${await res.text()}`;
    };
    try {
      assert.equal(
        await get(false),
        "503 Not ready: configs are not loaded (starting up or shutting down)\n",
      );
      exporter.attachAll();
      assert.equal(await get(false), "200 Ready\n");
      assert.equal(
        await get(true),
        "503 Not ready: programs not attached (config:program): attach_nowhere:on_nowhere\n",
      );
    } finally {
      exporter.close();
    }
    assert.match(await get(false), /^503 /);
  },
);

kernelTest("--log.format=json writes only JSON lines with level and msg", async () => {
  let log = "";
  await withExporter(["--log.format=json", ...TWO_CONFIGS], {}, async (ex) => {
    await scrape(`${ex.url}/metrics`);
    log = ex.log();
  });
  const lines = log.split("\n").filter((l) => l !== "").map((l) => {
    const parsed = JSON.parse(l) as { level: string; msg: string };
    assert.ok(["debug", "info", "warn", "error"].includes(parsed.level), l);
    assert.equal(typeof parsed.msg, "string", l);
    return parsed;
  });
  const find = (re: RegExp) => lines.find((l) => re.test(l.msg));
  assert.equal(
    find(/^Loaded config "attach_raw_tp"/)?.msg.replace(/id \d+/, "id N"),
    'Loaded config "attach_raw_tp": 1 of 1 programs attached: on_raw_tp (raw_tp/sys_enter) attached as id N',
  );
  assert.equal(
    find(/^Loaded config "attach_nowhere"/)?.msg,
    'Loaded config "attach_nowhere": 0 of 1 programs attached: ' +
      "on_nowhere (raw_tp/ebpf_exporter_test_no_such_tracepoint) not attached",
  );
  assert.equal(find(/^Failed to attach program "on_nowhere"/)?.level, "warn");
  assert.equal(find(/^Listening on /)?.level, "info");
});
