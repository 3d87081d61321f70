/**
 * virtio-pci: the test looks up names that do not exist in a mounted 9p file system whose
 * transport is a virtio PCI device (the QEMU guests mount two). Each lookup is a request the
 * guest has to send, so the device is kicked and interrupts back at least once. Other 9p traffic
 * runs at the same time, so the counts are bounded below. The expected labels come from the
 * device's sysfs IDs looked up in pci.ids by the test itself.
 */

import assert from "node:assert/strict";
import { isReadable, readDirViaLibc, tryReadFileViaLibc } from "../../../ffi/libc.ts";
import { hasFeature, kernelTest, note } from "../harness.ts";
import { metrics, uniqueTag, valueOf, withExample } from "./common.ts";
import { expectAttachState, expectNoneAttached } from "./kernel_functions.ts";

const METRIC = "ebpf_exporter_virtio_pci_notifications_total";
const LOOKUPS = 20;
const PROGRAMS = ["vp_notify", "vring_interrupt"];

/** A virtio device on the PCI bus serving a mounted 9p file system. */
interface NinePShare {
  mountPoint: string;
  vendor: number;
  device: number;
  /** base class << 16 | subclass << 8 | programming interface, as in sysfs. */
  pciClass: number;
}

function readText(path: string): string | null {
  const raw = tryReadFileViaLibc(path);
  return raw === null ? null : new TextDecoder().decode(raw).replace(/\0/g, "").trim();
}

/** 9p mounts visible here whose virtio transport sits on the PCI bus. */
function ninePShares(): NinePShare[] {
  const tags = new Map<string, string>(); // mount tag -> mount point
  for (const line of (readText("/proc/self/mountinfo") ?? "").split("\n")) {
    const [left, right] = line.split(" - ");
    const [fstype, source] = right?.split(" ") ?? [];
    const mountPoint = left?.split(" ")[4];
    if (fstype === "9p" && source !== undefined && mountPoint !== undefined) {
      tags.set(source, mountPoint);
    }
  }
  const out: NinePShare[] = [];
  const pci = "/sys/bus/pci/devices";
  const list = (dir: string) => {
    try {
      return readDirViaLibc(dir).map((e) => e.name);
    } catch {
      return []; // no PCI bus
    }
  };
  for (const slot of list(pci)) {
    // A virtio-pci device's virtio device is a child directory of the PCI device.
    for (const child of list(`${pci}/${slot}`).filter((n) => /^virtio\d+$/.test(n))) {
      const mountPoint = tags.get(readText(`${pci}/${slot}/${child}/mount_tag`) ?? "");
      const vendor = readText(`${pci}/${slot}/vendor`);
      const device = readText(`${pci}/${slot}/device`);
      const pciClass = readText(`${pci}/${slot}/class`);
      if (mountPoint === undefined || vendor === null || device === null || pciClass === null) {
        continue;
      }
      out.push({
        mountPoint,
        vendor: Number(vendor),
        device: Number(device),
        pciClass: Number(pciClass),
      });
    }
  }
  return out;
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, "0");

/**
 * The labels the pci_* decoders should give a device, looked up in pci.ids here (the formats of
 * misses are the decoders' documented ones).
 */
function expectedLabels(s: NinePShare): Record<string, string> {
  const path = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"].find(isReadable);
  const cc = hex(s.pciClass >> 16, 2);
  const ss = hex((s.pciClass >> 8) & 0xff, 2);
  if (path === undefined) {
    const missing = "missing pci.ids db";
    return { vendor: missing, device: missing, class: missing, subclass: missing };
  }
  const v = hex(s.vendor, 4);
  const d = hex(s.device, 4);
  let vendor: string | undefined, device: string | undefined;
  let cls: string | undefined, subclass: string | undefined;
  let section = "";
  for (const line of (readText(path) ?? "").split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    const top = /^(C )?([0-9a-f]{2,4})\s+(.*)$/.exec(line);
    if (top !== null) {
      section = (top[1] ?? "") + top[2];
      if (section === v) vendor = top[3];
      if (section === `C ${cc}`) cls = top[3];
      continue;
    }
    const sub = /^\t([0-9a-f]{2,4})\s+(.*)$/.exec(line);
    if (sub === null) continue;
    if (section === v && sub[1] === d) device = sub[2];
    if (section === `C ${cc}` && sub[1] === ss) subclass = sub[2];
  }
  return {
    vendor: vendor ?? `unknown pci vendor: 0x${v}`,
    device: device ?? `unknown pci device: 0x${v}${d}`,
    class: cls ?? `unknown pci class: 0x${cc}`,
    subclass: cls === undefined
      ? `unknown pci class: 0x${cc}`
      : subclass ?? `unknown pci subclass: 0x${ss} (class 0x${cc})`,
  };
}

/** Whether kallsyms has function `name` (vp_notify lives in the virtio_pci module). */
function kernelHas(name: string): boolean {
  return new RegExp(` [tT] ${name}(\\s|$)`, "m").test(readText("/proc/kallsyms") ?? "");
}

kernelTest(
  "virtio-pci counts kicks and interrupts of a 9p share's PCI device by PCI IDs",
  async () => {
    if (!(await hasFeature("kprobe"))) {
      await expectNoneAttached("virtio-pci", PROGRAMS);
      return;
    }
    const absent = PROGRAMS.filter((f) => !kernelHas(f));
    const shares = ninePShares();
    if (absent.length > 0 || shares.length === 0) {
      note(
        absent.length > 0
          ? `no virtio PCI transport here (${absent.join(", ")} not in kallsyms): attach state only`
          : "no 9p share on a virtio PCI device is mounted here: attach only",
      );
      await expectAttachState(
        "virtio-pci",
        Object.fromEntries(PROGRAMS.map((p) => [p, !absent.includes(p)])),
      );
      return;
    }
    await withExample("virtio-pci", async (ex) => {
      const tag = uniqueTag();
      const before = await metrics(ex);
      for (const s of shares) {
        for (let i = 0; i < LOOKUPS; i++) {
          await assert.rejects(
            Deno.stat(`${s.mountPoint}/ebpfex-absent-${tag}-${i}`),
            Deno.errors.NotFound,
          );
        }
      }
      const after = await metrics(ex);
      for (const s of shares) {
        for (const kind of ["kick", "interrupt"]) {
          const labels = { kind, ...expectedLabels(s) };
          const grew = valueOf(after, METRIC, labels) - valueOf(before, METRIC, labels);
          assert.ok(
            grew >= 1,
            `${s.mountPoint} ${JSON.stringify(labels)} grew by ${grew}:\n${after}`,
          );
        }
      }
    });
  },
);
