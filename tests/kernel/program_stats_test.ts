/** Program run-time metrics appear when kernel.bpf_stats_enabled is 1, and grow with events. */

import assert from "node:assert/strict";
import { readFileViaLibc } from "../../ffi/libc.ts";
import {
  kernelTest,
  parseExposition,
  reportedProgramIds,
  ROOT,
  scrape,
  sh,
  withExporter,
} from "./harness.ts";

kernelTest("run time and count metrics follow kernel.bpf_stats_enabled", async () => {
  const before = new TextDecoder().decode(readFileViaLibc("/proc/sys/kernel/bpf_stats_enabled"))
    .trim();
  const args = ["--config.dir", `${ROOT}/tests/fixtures/attach`, "--config.names", "attach_raw_tp"];
  try {
    await withExporter(args, {}, async (ex) => {
      await sh("sysctl", ["-q", "-w", "kernel.bpf_stats_enabled=0"]);
      const off = await scrape(`${ex.url}/metrics`);
      assert.ok(!off.includes("ebpf_exporter_ebpf_program_run_count_total"), off);
      const id = reportedProgramIds(off)[0]!;

      await sh("sysctl", ["-q", "-w", "kernel.bpf_stats_enabled=1"]);
      await sh("sh", ["-c", "for i in 1 2 3 4 5; do true; done; ls / >/dev/null"]);
      const a = parseExposition(await scrape(`${ex.url}/metrics`));
      await sh("sh", ["-c", "ls / >/dev/null; ls /usr >/dev/null"]);
      const b = parseExposition(await scrape(`${ex.url}/metrics`));
      const count = `ebpf_exporter_ebpf_program_run_count_total{id="${id}"}`;
      const time = `ebpf_exporter_ebpf_program_run_time_seconds{id="${id}"}`;
      assert.ok((a.get(count) ?? 0) > 0, `run count ${a.get(count)}`);
      assert.ok((b.get(count) ?? 0) > (a.get(count) ?? 0), "run count grows");
      assert.ok((b.get(time) ?? 0) > 0, `run time ${b.get(time)}`);
    });
  } finally {
    // Other BPF users on the machine see the setting they had.
    await sh("sysctl", ["-q", "-w", `kernel.bpf_stats_enabled=${before}`]);
  }
});
