/** kaddrs, --btf.path and the --debug /maps page against the real kernel. */

import assert from "node:assert/strict";
import { readFileViaLibc } from "../../ffi/libc.ts";
import {
  kernelTest,
  parseExposition,
  ROOT,
  runExporter,
  scrape,
  waitUntil,
  withExporter,
} from "./harness.ts";

const EVENTS = `${ROOT}/tests/fixtures/events`;

kernelTest("kaddrs writes the kallsyms address into the program before load", async () => {
  const line = new TextDecoder().decode(readFileViaLibc("/proc/kallsyms")).split("\n")
    .find((l) => l.endsWith(" jiffies_to_msecs"))!;
  const want = Number(BigInt("0x" + line.split(" ")[0]) & 0xffffffffn);
  await withExporter(["--config.dir", EVENTS, "--config.names", "kaddrs"], {}, async (ex) => {
    // The program stores what it sees on its first syscall event; scraping makes syscalls.
    let seen = 0;
    await waitUntil("the program to store the address", async () => {
      seen =
        parseExposition(await scrape(`${ex.url}/metrics`)).get("ebpf_exporter_kaddr_low_bits") ??
          0;
      return seen !== 0;
    });
    assert.equal(seen, want);
  });
});

kernelTest("a kaddr symbol missing from kallsyms is a clear error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-kaddr-" });
  try {
    const yaml = await Deno.readTextFile(`${EVENTS}/kaddrs.yaml`);
    await Deno.writeTextFile(
      `${dir}/kaddrs.yaml`,
      yaml.replace("  - jiffies_to_msecs", "  - no_such_symbol_for_tests"),
    );
    await Deno.copyFile(`${EVENTS}/kaddrs.bpf.o`, `${dir}/kaddrs.bpf.o`);
    const r = await runExporter(["--config.dir", dir, "--config.names", "kaddrs"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /kaddr symbol "no_such_symbol_for_tests" not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

kernelTest("--btf.path loads with an explicit BTF file and names a missing one", async () => {
  const ok = await runExporter([
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "timers",
    "--config.check-attach",
    "--btf.path",
    "/sys/kernel/btf/vmlinux",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await runExporter([
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "timers",
    "--btf.path",
    "/nonexistent/vmlinux",
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /BTF file "\/nonexistent\/vmlinux"/);
});

kernelTest("--debug serves raw map rows on /maps as text and JSON", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "softirqs", "--debug"];
  await withExporter(args, {}, async (ex) => {
    const text = await scrape(`${ex.url}/maps`);
    assert.match(text, /^## Config: softirqs$/m);
    assert.match(text, /^### Map: softirqs_total$/m);
    // Vector 1 (timer) on CPU 0: four key bytes plus the appended u16 CPU index.
    assert.match(
      text,
      /^\[\]byte\{0x1, 0x0, 0x0, 0x0, 0x0, 0x0\} \(labels: \[timer 0\]\) -> \d+$/m,
    );
    const res = await fetch(`${ex.url}/maps`, { headers: { accept: "application/json" } });
    const json = await res.json() as Array<{ config: string; map: string; rows: unknown[] }>;
    assert.equal(json[0]?.config, "softirqs");
    assert.ok((json[0]?.rows.length ?? 0) >= 10);
  });
});

kernelTest("/maps is not served without --debug", async () => {
  const args = ["--config.dir", `${ROOT}/examples`, "--config.names", "timers"];
  await withExporter(args, {}, async (ex) => {
    const res = await fetch(`${ex.url}/maps`);
    await res.body?.cancel();
    assert.equal(res.status, 404);
  });
});

kernelTest("uprobe//proc/self/exe:post_attach_mark programs run once after attach", async () => {
  const args = ["--config.dir", EVENTS, "--config.names", "post_attach"];
  await withExporter(args, {}, async (ex) => {
    const first = parseExposition(await scrape(`${ex.url}/metrics`));
    assert.equal(first.get("ebpf_exporter_post_attach_runs"), 1);
    const again = parseExposition(await scrape(`${ex.url}/metrics`));
    assert.equal(again.get("ebpf_exporter_post_attach_runs"), 1, "scrapes do not fire it");
  });
});
