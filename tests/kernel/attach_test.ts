/** Every attach type this kernel allows, counting real events; the others report attach failures. */

import assert from "node:assert/strict";
import {
  kernelTest,
  parseExposition,
  reportedProgramIds,
  ROOT,
  runExporter,
  scrape,
  sh,
  startExporter,
} from "./harness.ts";

const DIR = `${ROOT}/tests/fixtures/attach`;

/** Starts one attach fixture, runs `trigger`, and returns the counter growth and attach state. */
async function countEvents(
  name: string,
  trigger: (cwd: string) => Promise<void>,
  cwd?: string,
): Promise<{ grew: number; attached: number }> {
  const ex = await startExporter(
    ["--config.dir", DIR, "--config.names", `attach_${name}`],
    cwd !== undefined ? { cwd } : {},
  );
  try {
    const metric = `ebpf_exporter_${name}_events_total`;
    const first = await scrape(`${ex.url}/metrics`);
    const a = parseExposition(first);
    await trigger(cwd ?? ROOT);
    const b = parseExposition(await scrape(`${ex.url}/metrics`));
    const ids = reportedProgramIds(first);
    assert.equal(ids.length, 1, first);
    return {
      grew: (b.get(metric) ?? NaN) - (a.get(metric) ?? NaN),
      attached: a.get(`ebpf_exporter_ebpf_program_attached{id="${ids[0]}"}`) ?? -1,
    };
  } finally {
    assert.equal(await ex.stop(), 0, ex.stderr());
  }
}

async function syscalls(): Promise<void> {
  // Each child process makes getppid and many other syscalls.
  for (let i = 0; i < 5; i++) await sh("sh", ["-c", "ps -o ppid= -p $$ >/dev/null; true"]);
}

let targetDir: string | null = null;
async function buildTarget(): Promise<string> {
  if (targetDir !== null) return targetDir;
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-target-" });
  await sh("gcc", ["-O2", "-o", `${dir}/attach_target`, `${DIR}/attach_target.c`]);
  targetDir = dir;
  return dir;
}

kernelTest("raw_tp programs attach and count syscalls", async () => {
  const r = await countEvents("raw_tp", syscalls);
  assert.equal(r.attached, 1);
  assert.ok(r.grew > 0, `grew ${r.grew}`);
});

kernelTest("tracepoint programs attach and count getppid calls", async () => {
  const r = await countEvents("tracepoint", async () => {
    await sh("python3", ["-c", "import os\nfor _ in range(100): os.getppid()"]);
  });
  assert.equal(r.attached, 1);
  assert.ok(r.grew >= 100, `grew ${r.grew}`);
});

kernelTest("tp_btf programs attach and count syscalls", async () => {
  const r = await countEvents("tp_btf", syscalls);
  assert.equal(r.attached, 1);
  assert.ok(r.grew > 0, `grew ${r.grew}`);
});

for (const kind of ["uprobe", "uretprobe", "usdt"]) {
  kernelTest(`${kind} programs attach to a test binary and count its calls exactly`, async () => {
    const dir = await buildTarget();
    const r = await countEvents(kind, async (cwd) => {
      await sh(`${cwd}/attach_target`, ["1000"]);
    }, dir);
    assert.equal(r.attached, 1);
    assert.equal(r.grew, 1000);
  });
}

kernelTest("perf_event programs sample the CPU clock on every online CPU", async () => {
  const r = await countEvents("perf_event", async () => {
    // Busy for ~300 ms so the 99 Hz sampler fires.
    await sh("sh", [
      "-c",
      "end=$(($(date +%s%N)+300000000)); while [ $(date +%s%N) -lt $end ]; do :; done",
    ]);
  });
  assert.equal(r.attached, 1);
  assert.ok(r.grew > 0, `grew ${r.grew}`);
});

kernelTest("xdp programs attach to a veth and count packets from a test namespace", async () => {
  const ns = `ebpfex-${Deno.pid}`;
  try {
    await sh("ip", ["netns", "add", ns]);
    await sh("ip", [
      "link",
      "add",
      "ebpfex0",
      "type",
      "veth",
      "peer",
      "name",
      "ebpfex1",
      "netns",
      ns,
    ]);
    await sh("ip", ["addr", "add", "10.254.77.1/30", "dev", "ebpfex0"]);
    await sh("ip", ["link", "set", "ebpfex0", "up"]);
    await sh("ip", ["-n", ns, "addr", "add", "10.254.77.2/30", "dev", "ebpfex1"]);
    await sh("ip", ["-n", ns, "link", "set", "ebpfex1", "up"]);
    const r = await countEvents("xdp", async () => {
      for (let i = 0; i < 10; i++) {
        await sh("ip", ["netns", "exec", ns, "bash", "-c", "echo ping > /dev/udp/10.254.77.1/9"]);
      }
    });
    assert.equal(r.attached, 1);
    assert.ok(r.grew >= 10, `grew ${r.grew}`);
  } finally {
    await sh("ip", ["link", "del", "ebpfex0"]).catch(() => {});
    await sh("ip", ["netns", "del", ns]).catch(() => {});
  }
});

kernelTest("a kprobe that cannot attach reports attached 0 with a reason", async () => {
  const ex = await startExporter(["--config.dir", DIR, "--config.names", "attach_kprobe"]);
  try {
    const text = await scrape(`${ex.url}/metrics`);
    const ids = reportedProgramIds(text);
    assert.equal(ids.length, 1);
    assert.equal(
      parseExposition(text).get(`ebpf_exporter_ebpf_program_attached{id="${ids[0]}"}`),
      0,
    );
    assert.match(
      ex.stderr(),
      /Failed to attach program "on_kprobe" \(kprobe\/do_nanosleep\)[^\n]*: \S/,
    );
  } finally {
    assert.equal(await ex.stop(), 0);
  }
});

kernelTest("--config.strict exits non-zero naming config:program when attach fails", async () => {
  const r = await runExporter([
    "--config.dir",
    DIR,
    "--config.names",
    "attach_kprobe",
    "--config.strict",
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /attach_kprobe:on_kprobe/);
});

kernelTest("an fentry program this kernel refuses is a clear load error", async () => {
  const r = await runExporter(["--config.dir", DIR, "--config.names", "attach_fentry"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Cannot load config "attach_fentry"/);
});

Deno.test({
  name: "test target binary is cleaned up",
  sanitizeResources: false,
  fn: async () => {
    if (targetDir !== null) await Deno.remove(targetDir, { recursive: true });
  },
});
