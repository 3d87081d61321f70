/**
 * Every attach type: where the running kernel has what a type needs, its program attaches and
 * counts real events; where it does not, the exporter reports the failure clearly (attached 0
 * with a reason, or a load error naming the config). hasFeature() notes which path ran.
 */

import assert from "node:assert/strict";
import {
  hasFeature,
  kernelTest,
  parseExposition,
  reportedProgramIds,
  ROOT,
  runExporter,
  scrape,
  sh,
  waitProgramsGone,
  withExporter,
} from "./harness.ts";
import type { Feature } from "./probes.ts";

const DIR = `${ROOT}/tests/fixtures/attach`;

/** What one attach fixture reported: counter growth over the trigger, and its attach state. */
interface Counted {
  grew: number;
  attached: number;
  log: string;
}

/**
 * Starts fixture `attach_NAME`, scrapes, runs `trigger`, scrapes again, stops the exporter and
 * waits until the program it reported is gone.
 */
async function countEvents(
  name: string,
  trigger: (cwd: string) => Promise<void>,
  cwd?: string,
): Promise<Counted> {
  let ids: number[] = [];
  const counted = await withExporter(
    ["--config.dir", DIR, "--config.names", `attach_${name}`],
    cwd !== undefined ? { cwd } : {},
    async (ex) => {
      const metric = `ebpf_exporter_${name}_events_total`;
      const first = await scrape(`${ex.url}/metrics`);
      ids = reportedProgramIds(first);
      assert.equal(ids.length, 1, first);
      const a = parseExposition(first);
      await trigger(cwd ?? ROOT);
      const b = parseExposition(await scrape(`${ex.url}/metrics`));
      return {
        grew: (b.get(metric) ?? NaN) - (a.get(metric) ?? NaN),
        attached: a.get(`ebpf_exporter_ebpf_program_attached{id="${ids[0]}"}`) ?? -1,
        log: ex.log(),
      };
    },
  );
  await waitProgramsGone(ids);
  return counted;
}

/** Checks the "cannot attach" path: attached 0, the reason logged, --config.strict exits 1. */
async function expectAttachFailure(name: string, program: string, section: string) {
  const r = await countEvents(name, () => Promise.resolve());
  assert.equal(r.attached, 0, r.log);
  const escaped = section.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  assert.match(
    r.log,
    new RegExp(
      `Failed to attach program "${program}" \\(${escaped}\\) for config "attach_${name}": \\S`,
    ),
  );
  const strict = await runExporter([
    "--config.dir",
    DIR,
    "--config.names",
    `attach_${name}`,
    "--config.strict",
  ]);
  assert.notEqual(strict.code, 0, strict.stderr);
  assert.match(strict.stderr, new RegExp(`Missed attachments[^\\n]*attach_${name}:${program}`));
}

async function syscalls(): Promise<void> {
  // Each child process makes getppid and many other syscalls.
  for (let i = 0; i < 5; i++) await sh("sh", ["-c", "ps -o ppid= -p $$ >/dev/null; true"]);
}

const targetDirs = new Map<string, string>();
/** Builds attach_target (gcc's default PIE, or with -no-pie) once; returns its directory. */
async function buildTarget(flavour: "pie" | "no-pie" = "pie"): Promise<string> {
  const built = targetDirs.get(flavour);
  if (built !== undefined) return built;
  const dir = await Deno.makeTempDir({ prefix: "ebpf-exporter-target-" });
  targetDirs.set(flavour, dir);
  const flags = flavour === "pie" ? [] : ["-no-pie"];
  await sh("gcc", ["-O2", ...flags, "-o", `${dir}/attach_target`, `${DIR}/attach_target.c`]);
  return dir;
}

kernelTest("raw_tp programs attach and count syscalls", async () => {
  const r = await countEvents("raw_tp", syscalls);
  assert.equal(r.attached, 1, r.log);
  assert.ok(r.grew > 0, `grew ${r.grew}`);
});

kernelTest(
  "tracepoint programs count getppid calls, or report attached 0 without tracefs",
  async () => {
    // hasFeature notes the path taken ("tracefs: present" or "tracefs: missing (why)").
    if (!await hasFeature("tracefs")) {
      await expectAttachFailure(
        "tracepoint",
        "on_tracepoint",
        "tracepoint/syscalls/sys_enter_getppid",
      );
      return;
    }
    const r = await countEvents("tracepoint", async () => {
      await sh("python3", ["-c", "import os\nfor _ in range(100): os.getppid()"]);
    });
    assert.equal(r.attached, 1, r.log);
    assert.ok(r.grew >= 100, `grew ${r.grew}`);
  },
);

kernelTest("tp_btf programs attach and count syscalls", async () => {
  const r = await countEvents("tp_btf", syscalls);
  assert.equal(r.attached, 1, r.log);
  assert.ok(r.grew > 0, `grew ${r.grew}`);
});

for (const kind of ["uprobe", "uretprobe", "usdt"]) {
  kernelTest(`${kind} programs attach to a test binary and count its calls exactly`, async () => {
    // Without BPF cookies libbpf can attach a USDT for every process only in a non-PIE binary
    // (it maps the probe's fixed address to its spec instead).
    const pie = kind !== "usdt" || await hasFeature("bpf_cookie");
    const dir = await buildTarget(pie ? "pie" : "no-pie");
    const r = await countEvents(kind, async (cwd) => {
      await sh(`${cwd}/attach_target`, ["1000"]);
    }, dir);
    assert.equal(r.attached, 1, r.log);
    assert.equal(r.grew, 1000);
  });
}

/**
 * Programs on a kernel function. The fixtures count only calls made by attach_target (by comm),
 * so the working path expects exactly the calls the test makes. do_getpgid and the getpgid
 * syscall exist under these names (in kallsyms and BTF) on 5.10, 6.1, 6.12 and 6.18.
 */
const KERNEL_FUNCTION_TYPES: Array<{
  kind: string;
  section: string;
  feature: Feature;
  /** Where the exporter reports a kernel without the feature: at attach, or at load. */
  failsAt: "attach" | "load";
}> = [
  { kind: "kprobe", section: "kprobe/do_getpgid", feature: "kprobe", failsAt: "attach" },
  { kind: "kretprobe", section: "kretprobe/do_getpgid", feature: "kprobe", failsAt: "attach" },
  { kind: "ksyscall", section: "ksyscall/getpgid", feature: "kprobe", failsAt: "attach" },
  {
    kind: "kprobe_multi",
    section: "kprobe.multi/do_getpgid",
    feature: "kprobe_multi",
    failsAt: "attach",
  },
  { kind: "fentry", section: "fentry/do_getpgid", feature: "fentry", failsAt: "load" },
  { kind: "fexit", section: "fexit/do_getpgid", feature: "fentry", failsAt: "load" },
];

const CALLS = 1000;

for (const t of KERNEL_FUNCTION_TYPES) {
  kernelTest(
    `${t.section} counts every getpgid call of a test process, or fails clearly without ${t.feature}`,
    async () => {
      if (await hasFeature(t.feature)) {
        const dir = await buildTarget();
        const r = await countEvents(t.kind, async (cwd) => {
          await sh(`${cwd}/attach_target`, [String(CALLS), "getpgid"]);
        }, dir);
        assert.equal(r.attached, 1, r.log);
        assert.equal(r.grew, CALLS, r.log);
      } else if (t.failsAt === "attach") {
        await expectAttachFailure(t.kind, `on_${t.kind}`, t.section);
      } else {
        const r = await runExporter(["--config.dir", DIR, "--config.names", `attach_${t.kind}`]);
        assert.notEqual(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`Cannot load config "attach_${t.kind}": \\S`));
        assert.doesNotMatch(r.stderr, /Listening on/);
      }
    },
  );
}

kernelTest("perf_event programs sample the CPU clock on every online CPU", async () => {
  // A software event (cpu-clock): it needs no hardware PMU, so there is nothing to probe.
  const r = await countEvents("perf_event", async () => {
    // Busy for ~300 ms so the 99 Hz sampler fires.
    await sh("sh", [
      "-c",
      "end=$(($(date +%s%N)+300000000)); while [ $(date +%s%N) -lt $end ]; do :; done",
    ]);
  });
  assert.equal(r.attached, 1, r.log);
  assert.ok(r.grew > 0, `grew ${r.grew}`);
});

kernelTest("xdp programs attach to a veth and count packets from a test namespace", async () => {
  // The host side's name is fixed by the fixture's section, xdp/ebpfex0.
  const ns = `ebpfex-${Deno.pid}`;
  const host = "ebpfex0";
  const peer = "ebpfex1";
  try {
    await sh("ip", ["netns", "add", ns]);
    await sh("ip", [
      "link",
      "add",
      host,
      "type",
      "veth",
      "peer",
      "name",
      peer,
      "netns",
      ns,
    ]);
    await sh("ip", ["addr", "add", "10.254.77.1/30", "dev", host]);
    await sh("ip", ["link", "set", host, "up"]);
    await sh("ip", ["-n", ns, "addr", "add", "10.254.77.2/30", "dev", peer]);
    await sh("ip", ["-n", ns, "link", "set", peer, "up"]);
    const r = await countEvents("xdp", async () => {
      for (let i = 0; i < 10; i++) {
        await sh("ip", ["netns", "exec", ns, "bash", "-c", "echo ping > /dev/udp/10.254.77.1/9"]);
      }
    });
    assert.equal(r.attached, 1, r.log);
    assert.ok(r.grew >= 10, `grew ${r.grew}`);
  } finally {
    await sh("ip", ["link", "del", host]).catch(() => {});
    await sh("ip", ["netns", "del", ns]).catch(() => {});
  }
});

kernelTest(
  "a program whose attach point does not exist reports attached 0 with a reason",
  async () => {
    // The fixture's raw tracepoint exists on no kernel, so this path is checked everywhere.
    await expectAttachFailure(
      "nowhere",
      "on_nowhere",
      "raw_tp/ebpf_exporter_test_no_such_tracepoint",
    );
  },
);

Deno.test({
  name: "test target binary is cleaned up",
  sanitizeResources: false,
  fn: async () => {
    for (const dir of targetDirs.values()) await Deno.remove(dir, { recursive: true });
  },
});
