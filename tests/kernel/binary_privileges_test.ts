/**
 * Least privilege in the single binary: --capabilities.keep after attach, reads limited to the
 * config dir with a clear error (never a prompt) for anything else, and sd_notify messages.
 */

import assert from "node:assert/strict";
import { causeTimers, kernelTest, scrape, sh, withProcess } from "./harness.ts";
import {
  buildBinary,
  metricSum,
  procStatus,
  readProcFile,
  runWithin,
  tempDir,
  timersCommand,
} from "./binary.ts";

const TIMERS = "ebpf_exporter_timer_starts_total";
const EXAMPLES = new URL("../../examples", import.meta.url).pathname;

function copyTimers(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  for (const f of ["timers.yaml", "timers.bpf.o"]) {
    Deno.copyFileSync(`${EXAMPLES}/${f}`, `${dir}/${f}`);
  }
}

/** CapEff of each thread (Deno's fs API cannot list /proc, so `ls` does). */
async function threadCapEffs(pid: number): Promise<string[]> {
  const tids = (await sh("ls", [`/proc/${pid}/task`])).split("\n").filter((t) => t !== "");
  return tids.map((tid) =>
    /^CapEff:\s*(\S+)$/m.exec(readProcFile(`/proc/${pid}/task/${tid}/status`))?.[1] ?? "gone"
  ).filter((c) => c !== "gone");
}

kernelTest(
  "--capabilities.keep=none keeps counters advancing and leaves every thread without capabilities",
  async () => {
    const bin = await buildBinary();
    const command = timersCommand(bin, ["--capabilities.keep=none"]);
    await withProcess(command, {}, async (running) => {
      await causeTimers();
      const first = metricSum(await scrape(`${running.url}/metrics`), TIMERS);
      await causeTimers();
      const second = metricSum(await scrape(`${running.url}/metrics`), TIMERS);
      assert.ok(first > 0 && second > first, `counters did not advance: ${first} -> ${second}`);
      assert.equal(procStatus(running.pid, "CapEff"), "0000000000000000");
      assert.equal(procStatus(running.pid, "CapPrm"), "0000000000000000");
      const threads = await threadCapEffs(running.pid);
      assert.ok(threads.length > 1, "expected several threads");
      assert.deepEqual(threads.filter((c) => c !== "0000000000000000"), []);
      assert.match(running.log(), /Started with capabilities: "=ep/);
      assert.match(running.log(), /Dropped capabilities to "="/);
    });
  },
);

kernelTest("--capabilities.keep with a list keeps exactly those capabilities", async () => {
  const bin = await buildBinary();
  const command = timersCommand(bin, ["--capabilities.keep=cap_bpf,CAP_PERFMON"]);
  await withProcess(command, {}, async (running) => {
    // CAP_PERFMON is bit 38, CAP_BPF bit 39.
    assert.equal(procStatus(running.pid, "CapEff"), "000000c000000000");
    assert.match(running.log(), /Dropped capabilities to "cap_perfmon,cap_bpf=ep"/);
    // What is kept is enough to keep serving the counters.
    await causeTimers();
    const served = metricSum(await scrape(`${running.url}/metrics`), TIMERS);
    assert.ok(served > 0, `no ${TIMERS} samples after dropping to cap_bpf,cap_perfmon`);
  });
});

kernelTest("an unknown capability name is a clear error with exit code 1", async () => {
  const bin = await buildBinary();
  const { code, out } = await runWithin(
    ["env", "-i", bin, "--config.names", "timers", "--capabilities.keep=cap_bpf,cap_nope"],
    30000,
  );
  assert.equal(code, 1, out);
  assert.match(out, /unknown capability "cap_nope"/);
  assert.doesNotMatch(out, /Listening on/);
});

kernelTest(
  "a --config.dir anywhere is readable, a file outside it is a clear error and never a prompt",
  async () => {
    const bin = await buildBinary();
    const dir = tempDir("ebpf-exporter-perm-");
    try {
      copyTimers(`${dir.path}/granted`);
      copyTimers(`${dir.path}/elsewhere`);
      const ok = await runWithin(
        [
          "env",
          "-i",
          bin,
          "--config.dir",
          `${dir.path}/granted`,
          "--config.names",
          "timers",
          "--config.check",
        ],
        60000,
        { cwd: "/" },
      );
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /Config check successful/);

      const denied = await runWithin(
        [
          "env",
          "-i",
          bin,
          `--config.dir=${dir.path}/granted`,
          "--config.names",
          "../elsewhere/timers",
          "--config.check",
        ],
        30000,
        { cwd: "/" },
      );
      // A name cannot leave the directory at all; a symlink can point out, and is refused.
      assert.equal(denied.code, 1, denied.out);
      assert.match(denied.out, /"\.\.\/elsewhere\/timers": config names must be plain file names/);
      assert.doesNotMatch(denied.out, /Allow\?|\[y\/n|run again with/);
      Deno.symlinkSync(`${dir.path}/elsewhere/timers.yaml`, `${dir.path}/granted/link.yaml`);
      const linked = await runWithin(
        ["env", "-i", bin, `--config.dir=${dir.path}/granted`, "--config.names", "link"],
        30000,
        { cwd: "/" },
      );
      assert.equal(linked.code, 1, linked.out);
      assert.match(linked.out, /elsewhere\/timers\.yaml/);
      assert.match(
        linked.out,
        /refusing to read .*, outside the config directory "[^"]*\/granted"/,
      );
      assert.doesNotMatch(linked.out, /Allow\?|\[y\/n|run again with/);

      const proc = await runWithin(
        ["env", "-i", bin, "--config.dir=/proc/self", "--config.names", "x"],
        30000,
      );
      assert.equal(proc.code, 1, proc.out);
      assert.match(proc.out, /under \/proc and \/sys cannot be read/);
    } finally {
      dir.remove();
    }
  },
);

kernelTest("sd_notify messages reach NOTIFY_SOCKET: status, READY=1 and STOPPING=1", async () => {
  const bin = await buildBinary();
  const dir = tempDir("ebpf-exporter-notify-");
  let receiver: Deno.ChildProcess | null = null;
  try {
    const recv = `${dir.path}/receiver`;
    await sh("gcc", [
      "-O2",
      "-o",
      recv,
      new URL("../fixtures/notify/receiver.c", import.meta.url).pathname,
    ]);
    const socket = `${dir.path}/notify.sock`;
    receiver = new Deno.Command(recv, { args: [socket, "60"], stdout: "piped" }).spawn();
    const reader = receiver.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let got = "";
    while (!got.includes("bound\n")) got += (await reader.read()).value ?? "";
    const command = timersCommand(bin, [], [`NOTIFY_SOCKET=${socket}`]);
    // Stopped inside the body: STOPPING=1 is sent on SIGTERM, before the exporter exits.
    await withProcess(command, {}, (running) => running.stop());
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      got += value;
    }
    const lines = got.trim().split("\n");
    assert.deepEqual(lines, [
      "bound",
      "STATUS=parsing config...",
      "STATUS=creating exporter...",
      "STATUS=attaching configs...",
      "STATUS=ready with 1 configs",
      "READY=1",
      "STOPPING=1",
    ]);
    assert.equal((await receiver.status).code, 0);
    receiver = null;
  } finally {
    if (receiver !== null) {
      try {
        receiver.kill("SIGKILL");
      } catch { /* gone */ }
      await receiver.status;
    }
    dir.remove();
  }
});

/** Why the file-capabilities test cannot run here (its tools are missing), or null. */
function missingCapTools(): string | null {
  const found = new Deno.Command("sh", {
    args: ["-c", "command -v setcap && command -v setpriv"],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  return found.code === 0 ? null : "setcap or setpriv is not installed (libcap2-bin, util-linux)";
}

kernelTest("file capabilities on the binary let an unprivileged user run it", async () => {
  const bin = await buildBinary();
  const dir = tempDir("ebpf-exporter-setcap-");
  try {
    Deno.chmodSync(dir.path, 0o755);
    const copy = `${dir.path}/ebpf_exporter`;
    Deno.copyFileSync(bin, copy);
    Deno.chmodSync(copy, 0o755);
    await sh("setcap", ["cap_bpf,cap_perfmon,cap_syslog+ep", copy]);
    const command = [
      "setpriv",
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      ...timersCommand(copy, ["--capabilities.keep=cap_syslog"]),
    ];
    await withProcess(command, { cwd: dir.path }, async (running) => {
      await causeTimers();
      assert.ok(metricSum(await scrape(`${running.url}/metrics`), TIMERS) > 0);
      assert.match(procStatus(running.pid, "Uid") ?? "", /^65534\s/);
      assert.equal(procStatus(running.pid, "CapEff"), "0000000400000000"); // cap_syslog only
    });
  } finally {
    dir.remove();
  }
}, { ignore: missingCapTools() });
