/** End to end: the timers example loaded for real, scraped over HTTP, compared with the map. */

import assert from "node:assert/strict";
import { readFileViaLibc } from "../../ffi/libc.ts";
import { findCgroup2Root } from "../../src/exporter/host.ts";
import {
  causeTimers,
  hasFeature,
  kernelTest,
  loadedProgramIds,
  note,
  objectSections,
  parseExposition,
  programMapEntries,
  reportedProgramIds,
  ROOT,
  scrape,
  waitProgramsGone,
  waitUntil,
  withExporter,
} from "./harness.ts";

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

/** Sections of fentry/fexit/fmod_ret programs: they need trampolines, or the object won't load. */
const TRAMPOLINE = /^(fentry|fexit|fmod_ret)(\.s)?\//;

kernelTest("promtool accepts a live scrape of every example this kernel can load", async () => {
  const all = [...Deno.readDirSync(`${ROOT}/examples`)]
    .filter((e) => e.name.endsWith(".yaml"))
    .map((e) => e.name.slice(0, -5))
    .sort();
  // A kprobe or tracepoint that cannot attach is only reported; a trampoline program that the
  // kernel refuses fails the whole object's load, so those examples are left out here.
  const needs = (n: string) =>
    objectSections(`${ROOT}/examples/${n}.bpf.o`).some((s) => TRAMPOLINE.test(s));
  const names = await hasFeature("fentry") ? all : all.filter((n) => !needs(n));
  const left = all.filter((n) => !names.includes(n));
  if (left.length > 0) note(`left out ${left.join(", ")}: they need fentry/fexit`);
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", names.join(",")];
  await withExporter(args, {}, async (ex) => {
    await causeTimers();
    const text = await scrape(`${ex.url}/metrics`);
    const p = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(text));
    await w.close();
    const out = await p.output();
    const msg = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `promtool check metrics failed:\n${msg}\n---\n${text}`);
    const m = parseExposition(text);
    for (const n of names) {
      assert.equal(m.get(`ebpf_exporter_decoder_errors_total{config="${n}"}`), 0);
    }
    // The cgroup decoder turns ids into paths under the cgroup v2 mount.
    assert.match(
      text,
      new RegExp(`ebpf_exporter_cgroup_syscalls_total\\{cgroup="${findCgroup2Root()}[^"]*"\\}`),
    );
  });
});

kernelTest("per-CPU softirq counters split by the trailing cpu label", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "softirqs"];
  await withExporter(args, {}, async (ex) => {
    const timerSum = (m: Map<string, number>) =>
      [...m].filter(([k]) =>
        k.startsWith("ebpf_exporter_softirqs_total{") && k.includes('vector="timer"')
      )
        .reduce((s, [, v]) => s + v, 0);
    let m = new Map<string, number>();
    await waitUntil("timer softirqs to be counted", async () => {
      await causeTimers();
      m = parseExposition(await scrape(`${ex.url}/metrics`));
      return timerSum(m) > 0;
    });
    const series = [...m.keys()].filter((k) => k.startsWith("ebpf_exporter_softirqs_total{"));
    // Every vector × every possible CPU appears, zero entries included (array map).
    const cpus = new Set(series.map((k) => /cpu="(\d+)"/.exec(k)?.[1]));
    assert.ok(cpus.size > 0 && series.length >= 10 * cpus.size, series.join("\n"));
  });
});
