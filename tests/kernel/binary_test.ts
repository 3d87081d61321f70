/**
 * The single-file binary: it runs alone from an empty directory with an empty environment, its
 * embedded libbpf needs only libc-family libraries, and it serves metrics inside a chroot that
 * holds nothing but the binary and the host's glibc files.
 */

import assert from "node:assert/strict";
import { causeTimers, kernelTest, scrape, sh, withProcess } from "./harness.ts";
import { LAUNCHER_GLIBC_TUNABLES, LAUNCHER_V8_FLAGS } from "../../pack/runtime_flags.ts";
import {
  buildBinary,
  metricSum,
  readProcFile,
  runWithin,
  tempDir,
  timersCommand,
} from "./binary.ts";

const TIMERS = "ebpf_exporter_timer_starts_total";

/** Libraries the binary's runtime pieces may need: glibc's own and gcc's unwinder. */
const LIBC_FAMILY =
  /^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|\/lib64\/ld-linux-x86-64\.so\.2)$/;

function lddNames(output: string): string[] {
  return output.split("\n").map((l) => l.trim().split(/\s+/)[0] ?? "").filter((n) => n !== "");
}

kernelTest(
  "the binary copied alone into an empty directory serves timer counters under env -i",
  async () => {
    const bin = await buildBinary();
    const dir = tempDir("ebpf-exporter-bin-");
    try {
      Deno.copyFileSync(bin, `${dir.path}/ebpf_exporter`);
      const command = timersCommand("./ebpf_exporter");
      await withProcess(command, { cwd: dir.path }, async (running) => {
        await causeTimers();
        const first = metricSum(await scrape(`${running.url}/metrics`), TIMERS);
        await causeTimers();
        const text = await scrape(`${running.url}/metrics`);
        assert.ok(first > 0, `no ${TIMERS} samples:\n${text}`);
        assert.ok(metricSum(text, TIMERS) > first, "timer counters did not advance");
        assert.match(running.log(), /Using libbpf 1\.\d+ \(embedded: \/proc\/self\/fd\/\d+\)/);
        // Nothing written next to the binary, and no PATH or HOME handed to the process.
        assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["ebpf_exporter"]);
        const environ = readProcFile(`/proc/${running.pid}/environ`).split("\0");
        assert.ok(!environ.some((e) => e.startsWith("PATH=") || e.startsWith("HOME=")));
      });
    } finally {
      dir.remove();
    }
  },
);

kernelTest(
  "the launcher starts Deno with the heap flags and malloc tunables idle RSS relies on",
  async () => {
    const bin = await buildBinary();
    await withProcess(timersCommand(bin), {}, async (running) => {
      assert.match(await scrape(`${running.url}/metrics`), new RegExp(TIMERS));
      const args = readProcFile(`/proc/${running.pid}/cmdline`).split("\0");
      const script = args.findIndex((a) => /^\/proc\/self\/fd\/\d+$/.test(a));
      const v8 = args.findIndex((a) => a.startsWith("--v8-flags="));
      // After the script they would be the app's arguments, not Deno's.
      assert.ok(v8 > 0 && v8 < script, `no --v8-flags= before the bundle in ${args.join(" ")}`);
      const flags = args[v8]!.slice("--v8-flags=".length).split(",");
      assert.deepEqual(flags, [...LAUNCHER_V8_FLAGS]);
      // README "Idle memory and start-up": semi-spaces above 4 MiB measured more idle RSS.
      const semi = flags.map((f) => /^--max-semi-space-size=(\d+)$/.exec(f)).find((m) => m);
      assert.ok(semi && Number(semi[1]) <= 4, `no --max-semi-space-size of at most 4 in ${flags}`);
      // env -i: the caller set no tunables, so the launcher's apply.
      const environ = readProcFile(`/proc/${running.pid}/environ`).split("\0");
      assert.ok(environ.includes(`GLIBC_TUNABLES=${LAUNCHER_GLIBC_TUNABLES}`), environ.join(" "));
      assert.match(LAUNCHER_GLIBC_TUNABLES, /(^|:)glibc\.malloc\.arena_max=[12]($|:)/);
    });
  },
);

kernelTest("the embedded libbpf and the launcher link only libc-family libraries", async () => {
  const bin = await buildBinary();
  const dir = tempDir("ebpf-exporter-ldd-");
  const command = timersCommand(bin);
  try {
    await withProcess(command, {}, async (running) => {
      const environ = readProcFile(`/proc/${running.pid}/environ`).split("\0");
      const fdPath = environ.find((e) => e.startsWith("EBPF_EXPORTER_EMBEDDED_LIBBPF="))
        ?.split("=")[1];
      assert.ok(fdPath?.startsWith("/proc/self/fd/"), `no embedded libbpf in ${environ}`);
      const extracted = `${dir.path}/libbpf_bundle.so`;
      await sh("cp", [fdPath!.replace("/proc/self/", `/proc/${running.pid}/`), extracted]);
      const libs = lddNames(await sh("ldd", [extracted]));
      assert.ok(libs.includes("libc.so.6"), `ldd: ${libs}`);
      for (const lib of [...libs, ...lddNames(await sh("ldd", [bin]))]) {
        assert.match(lib, LIBC_FAMILY, `unexpected library "${lib}"`);
      }
      assert.ok(!libs.some((l) => /libbpf|libelf|libz/.test(l)));
    });
  } finally {
    dir.remove();
  }
});

/** The host files every library the binary, its runtime and its libbpf need (ldd output). */
async function libcFiles(bin: string): Promise<string[]> {
  const files = new Set<string>();
  for (const target of [bin, Deno.execPath()]) {
    for (const line of (await sh("ldd", [target])).split("\n")) {
      const m = /(\/\S+)\s+\(0x/.exec(line);
      if (m) files.add(m[1]!);
    }
  }
  return [...files];
}

kernelTest(
  "the binary serves timers metrics in a chroot holding only itself and glibc",
  async () => {
    const bin = await buildBinary();
    const root = tempDir("ebpf-exporter-rootfs-");
    try {
      const libs = await libcFiles(bin);
      for (const lib of libs) {
        const dest = `${root.path}${lib}`;
        Deno.mkdirSync(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
        Deno.copyFileSync(Deno.realPathSync(lib), dest);
      }
      for (const d of ["proc", "dev", "sys"]) Deno.mkdirSync(`${root.path}/${d}`);
      Deno.copyFileSync(bin, `${root.path}/ebpf_exporter`);
      const inside = (await sh("find", [root.path, "-type", "f"])).split("\n").filter((l) => l);
      assert.ok(
        !inside.some((f) => /libbpf|libelf|libz|\/deno$/.test(f)),
        `rootfs holds more than glibc:\n${inside.join("\n")}`,
      );

      const r = root.path;
      // A private mount namespace: the binds vanish with the process, whatever happens.
      const command = [
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        `mount --bind /proc "${r}/proc" && mount --rbind /dev "${r}/dev" && ` +
        `mount --rbind /sys "${r}/sys" && exec env -i "$(command -v chroot)" "${r}" /ebpf_exporter ` +
        `--config.names timers --web.listen-address=127.0.0.1:0`,
      ];
      await withProcess(command, {}, async (running) => {
        await causeTimers();
        const text = await scrape(`${running.url}/metrics`);
        assert.ok(metricSum(text, TIMERS) > 0, `no ${TIMERS} samples:\n${text}`);
        // The process that served really runs inside the chroot.
        assert.equal((await sh("readlink", [`/proc/${running.pid}/root`])).trim(), r);
      });
    } finally {
      root.remove();
    }
  },
);

kernelTest("--version names the version, revision, Deno, libbpf and the build date", async () => {
  const bin = await buildBinary();
  const { code, out } = await runWithin(["env", "-i", bin, "--version"], 30000);
  assert.equal(code, 0, out);
  assert.match(out, /^ebpf_exporter, version \S+ \(branch: \S+, revision: [0-9a-f]{7,}/);
  assert.match(out, /build date: +\d{8}-\d\d:\d\d:\d\d/);
  assert.match(out, new RegExp(`deno version: +${Deno.version.deno.replace(/\./g, "\\.")} `));
  assert.match(out, /libbpf version: +1\.\d+ \(embedded: /);
  assert.match(out, /packaging: +memfd launcher/);
});

kernelTest("--config.list prints the embedded configs", async () => {
  const bin = await buildBinary();
  const { code, out } = await runWithin(["env", "-i", bin, "--config.list"], 30000);
  assert.equal(code, 0, out);
  // Each line is the name, then what it needs from the kernel (`timers  needs: tp_btf`).
  const lines = out.trim().split("\n");
  const names = lines.map((l) => l.split(/\s+/, 1)[0]);
  for (const l of lines) assert.match(l, /^\S+ +needs: \S/);
  const expected = [...Deno.readDirSync(new URL("../../examples", import.meta.url))]
    .filter((e) => e.name.endsWith(".yaml")).map((e) => e.name.slice(0, -5)).sort();
  assert.deepEqual(names, expected);
});
