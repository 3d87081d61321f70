import assert from "node:assert/strict";
import {
  checkEmbeddedNames,
  configSource,
  EMBEDDED_CONFIG_DIR,
  embeddedAssets,
  embeddedConfigFs,
  embeddedConfigNames,
  explainSandboxError,
  parseManifest,
  sandboxedDiskFs,
} from "../src/embedded.ts";

const MANIFEST = "timers.yaml=/proc/self/fd/6,timers.bpf.o=/proc/self/fd/7," +
  "softirqs.yaml=/proc/self/fd/8,softirqs.bpf.o=/proc/self/fd/9,lonely.yaml=/proc/self/fd/10";

function assets() {
  return embeddedAssets((name) => name === "EBPF_EXPORTER_EMBEDDED_FILES" ? MANIFEST : undefined)!;
}

Deno.test("the launcher's manifest maps file names to fd paths", () => {
  assert.deepEqual(
    parseManifest("a.yaml=/proc/self/fd/5,a.bpf.o=/proc/self/fd/6"),
    new Map([["a.yaml", "/proc/self/fd/5"], ["a.bpf.o", "/proc/self/fd/6"]]),
  );
  assert.deepEqual(parseManifest(""), new Map());
});

Deno.test("a malformed manifest entry is an error naming the entry", () => {
  assert.throws(() => parseManifest("a.yaml"), /malformed entry "a\.yaml"/);
  assert.throws(() => parseManifest("=x"), /malformed entry "=x"/);
  assert.throws(() => parseManifest("a.yaml="), /malformed entry "a\.yaml="/);
});

Deno.test("without the launcher's variable there are no embedded assets", () => {
  assert.equal(embeddedAssets(() => undefined), null);
  assert.equal(assets().packaging, "launcher");
});

Deno.test("embedded configs are the names with both a yaml and an object, sorted", () => {
  assert.deepEqual(embeddedConfigNames(assets()), ["softirqs", "timers"]);
});

Deno.test("the embedded reader serves files under the embedded dir through their fd paths", () => {
  const read: string[] = [];
  const fs = embeddedConfigFs(assets(), (p) => {
    read.push(p);
    return new TextEncoder().encode("metrics: {}\n");
  });
  assert.equal(fs.readTextFile(`${EMBEDDED_CONFIG_DIR}/timers.yaml`, 1024), "metrics: {}\n");
  assert.deepEqual(read, ["/proc/self/fd/6"]);
  assert.throws(
    () => fs.readTextFile(`${EMBEDDED_CONFIG_DIR}/nope.yaml`, 1024),
    Deno.errors.NotFound,
  );
  assert.throws(() => fs.readTextFile("/etc/timers.yaml", 1024), Deno.errors.NotFound);
});

Deno.test("a --config.dir wins over the embedded examples, which win over the fallback", () => {
  const a = assets();
  const given = configSource("/etc/ebpf", a, "/src/examples");
  assert.equal(given.dir, "/etc/ebpf");
  assert.equal(given.embedded, false);
  assert.equal(given.readObject("/etc/ebpf/timers.bpf.o"), null);
  const embedded = configSource(null, a, "/src/examples");
  assert.equal(embedded.dir, EMBEDDED_CONFIG_DIR);
  assert.equal(embedded.embedded, true);
  assert.equal(embedded.readObject("/elsewhere/timers.bpf.o"), null);
  assert.equal(configSource(null, null, "/src/examples").dir, "/src/examples");
});

Deno.test("a sandbox refusal while reading a config says which directory may be read", () => {
  const fs = sandboxedDiskFs("/etc/ebpf", (p) => {
    throw new Deno.errors.NotCapable(`Requires read access to "${p}", run again with --allow-read`);
  });
  assert.throws(
    () => fs.readTextFile("/etc/other/x.yaml", 1024),
    /^Error: reading is not permitted \(this process may read only --config\.dir "\/etc\/ebpf"\)/,
  );
  assert.throws(
    () => fs.readTextFile("/proc/self/x.yaml", 1024),
    /under \/proc and \/sys cannot be read/,
  );
});

Deno.test("other read errors pass through the sandboxed reader unchanged", () => {
  const fs = sandboxedDiskFs("/d", () => {
    throw new Deno.errors.NotFound("gone");
  });
  assert.throws(() => fs.readTextFile("/d/x.yaml", 1024), Deno.errors.NotFound);
});

Deno.test("a config name that is not embedded lists the embedded ones", () => {
  assert.throws(
    () => checkEmbeddedNames(assets(), ["timers", "biolatency"]),
    /config "biolatency": it is not embedded in this binary \(embedded: softirqs, timers\)/,
  );
  checkEmbeddedNames(assets(), ["timers"]);
});

Deno.test("sandbox errors lose Deno's run-again advice; other errors are not explained", () => {
  const text = explainSandboxError(
    new Deno.errors.NotCapable('Requires net access to "x:1", run again with the --allow-net flag'),
  );
  assert.match(text!, /^Requires net access to "x:1": this process runs with only the permissions/);
  assert.equal(explainSandboxError(new Error("x")), null);
});
