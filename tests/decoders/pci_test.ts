import assert from "node:assert/strict";
import { parsePciIds } from "../../src/decoders/pci_ids.ts";
import { build, conf, decodeText, fakeContext, fixture } from "./helpers.ts";

function withDb(path = "/usr/share/misc/pci.ids") {
  return fakeContext({ files: { [path]: fixture("pci.ids") } }).ctx;
}

Deno.test("pci_vendor names vendors", () => {
  const d = build(conf("pci_vendor"), withDb());
  assert.equal(decodeText(d, "32902"), "Intel Corporation");
  assert.equal(decodeText(d, "4318"), "NVIDIA Corporation");
  assert.equal(decodeText(d, "48879"), "unknown pci vendor: 0xbeef");
});

Deno.test("pci_vendor pads vendor ids below 0x1000 (unlike upstream)", () => {
  const d = build(conf("pci_vendor"), withDb());
  assert.equal(decodeText(d, "3601"), "Compaq Computer Corporation");
  assert.equal(decodeText(d, "17"), "unknown pci vendor: 0x0011");
});

Deno.test("pci_device names vendor and device pairs", () => {
  const d = build(conf("pci_device"), withDb());
  assert.equal(decodeText(d, "2156269568"), "82542 Gigabit Ethernet Controller (Fiber)");
  assert.equal(decodeText(d, "3735928559"), "unknown pci device: 0xdeadbeef");
  assert.equal(decodeText(d, String(0x0e110001)), "PCI to EISA Bridge");
});

Deno.test("pci_class names classes", () => {
  const d = build(conf("pci_class"), withDb());
  assert.equal(decodeText(d, "2"), "Network controller");
  assert.equal(decodeText(d, "253"), "unknown pci class: 0xfd");
});

Deno.test("pci_subclass names subclasses within their class", () => {
  const d = build(conf("pci_subclass"), withDb());
  assert.equal(decodeText(d, "512"), "Ethernet controller");
  assert.equal(decodeText(d, "1540"), "PCI bridge");
  assert.equal(decodeText(d, "64768"), "unknown pci class: 0xfd");
  assert.equal(decodeText(d, "267"), "unknown pci subclass: 0x0b (class 0x01)");
  assert.equal(decodeText(d, "3"), "unknown pci subclass: 0x03 (class 0x00)");
});

Deno.test("pci decoders fall back to the hwdata copy of pci.ids", () => {
  const d = build(conf("pci_vendor"), withDb("/usr/share/hwdata/pci.ids"));
  assert.equal(decodeText(d, "32902"), "Intel Corporation");
});

Deno.test("pci decoders without pci.ids report the missing database", () => {
  const ctx = fakeContext().ctx;
  for (const name of ["pci_vendor", "pci_device", "pci_class", "pci_subclass"]) {
    const d = build(conf(name), ctx);
    assert.equal(decodeText(d, "32902"), "missing pci.ids db", name);
    assert.equal(decodeText(d, "not a number"), "missing pci.ids db", name);
  }
});

Deno.test("pci.ids parsing ignores subsystems and programming interfaces", () => {
  const db = parsePciIds(fixture("pci.ids"));
  assert.equal(db.vendors.size, 3);
  assert.deepEqual([...db.devices.keys()], ["0e110001", "10de0020", "80861000", "80861001"]);
  assert.deepEqual([...db.classes.keys()], ["00", "01", "02", "06"]);
  assert.deepEqual([...db.classes.get("06")!.subclasses], [["00", "Host bridge"], [
    "04",
    "PCI bridge",
  ]]);
});

Deno.test("pci.ids is read once per host", () => {
  const { ctx, host } = fakeContext({ files: { "/usr/share/misc/pci.ids": fixture("pci.ids") } });
  build(conf("pci_vendor"), ctx);
  build(conf("pci_class"), ctx);
  assert.equal(host.reads.get("/usr/share/misc/pci.ids"), 1);
});
