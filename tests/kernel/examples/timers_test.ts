/** The timers example loaded for real, scraped over HTTP, and compared with its kernel map. */

import assert from "node:assert/strict";
import { readFileViaLibc } from "../../../ffi/libc.ts";
import {
  causeTimers,
  kernelTest,
  loadedProgramIds,
  parseExposition,
  programMapEntries,
  reportedProgramIds,
  ROOT,
  scrape,
  waitProgramsGone,
  withExporter,
} from "../harness.ts";

/** Exact address → symbol from /proc/kallsyms. */
function kallsyms(): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const line of new TextDecoder().decode(readFileViaLibc("/proc/kallsyms")).split("\n")) {
    const [addr, , name] = line.split(" ");
    if (addr && name) out.set(BigInt("0x" + addr), name);
  }
  return out;
}

kernelTest("timers example exports real counters that match the kernel map", async () => {
  const before = await loadedProgramIds();
  let ids: number[] = [];
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "timers"];
  await withExporter(args, {}, async (ex) => {
    await causeTimers();
    const first = await scrape(`${ex.url}/metrics`);
    ids = reportedProgramIds(first);
    assert.equal(ids.length, 1, `one program expected:\n${first}`);
    assert.ok(!before.has(ids[0]!), "the reported program is new");
    const a = parseExposition(first);
    assert.equal(a.get(`ebpf_exporter_ebpf_program_attached{id="${ids[0]}"}`), 1);
    assert.equal(a.get('ebpf_exporter_enabled_configs{name="timers"}'), 1);
    assert.equal(a.get('ebpf_exporter_decoder_errors_total{config="timers"}'), 0);

    const dump = await programMapEntries(ids[0]!, "timer_starts_total");
    await causeTimers();
    const second = await scrape(`${ex.url}/metrics`);
    const b = parseExposition(second);

    const series = [...b.keys()].filter((k) => k.startsWith("ebpf_exporter_timer_starts_total{"));
    assert.ok(series.length > 0, `timer series expected:\n${second}`);
    for (const k of series) {
      assert.ok((b.get(k) ?? 0) >= (a.get(k) ?? 0), `${k} must not decrease`);
    }

    // Sum the raw map by symbol: the scrape before the dump ≤ dump ≤ the scrape after it.
    const syms = kallsyms();
    const bySymbol = new Map<string, number>();
    for (const [addr, n] of dump) {
      const name = syms.get(addr) ?? `unknown_addr:0x${addr.toString(16)}`;
      bySymbol.set(name, (bySymbol.get(name) ?? 0) + Number(n));
    }
    const [top, topCount] = [...bySymbol].sort((x, y) => y[1] - x[1])[0]!;
    const key = `ebpf_exporter_timer_starts_total{function="${top}"}`;
    assert.ok(topCount > 0);
    assert.ok(
      (a.get(key) ?? 0) <= topCount,
      `${key}: first scrape ${a.get(key)} ≤ map ${topCount}`,
    );
    assert.ok(
      topCount <= (b.get(key) ?? 0),
      `${key}: map ${topCount} ≤ second scrape ${b.get(key)}`,
    );
  });
  // The kernel frees a program an RCU grace period after its last reference goes.
  await waitProgramsGone(ids);
});
