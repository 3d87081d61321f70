/** The bounded read of config files: regular files inside the directory, under the cap. */

import assert from "node:assert/strict";
import { ConfigFileRefused, readBoundedTextFile } from "../../src/config/file_read.ts";
import { ConfigError, loadConfigs } from "../../src/config/load.ts";
import { memFs } from "./mem_fs.ts";

function withDir(fn: (dir: string, outside: string) => void): void {
  const root = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "file-read-" }));
  try {
    Deno.mkdirSync(`${root}/cfg`);
    Deno.writeTextFileSync(`${root}/secret`, "hunter2\n");
    fn(`${root}/cfg`, `${root}/secret`);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

function refused(fn: () => unknown, message: string): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof ConfigFileRefused, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("a regular file and a symlink to one inside the directory are read", () => {
  withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/a.yaml`, "metrics: {}\n");
    Deno.symlinkSync("a.yaml", `${dir}/b.yaml`);
    assert.equal(readBoundedTextFile(dir, `${dir}/a.yaml`, 100), "metrics: {}\n");
    assert.equal(readBoundedTextFile(dir, `${dir}/b.yaml`, 100), "metrics: {}\n");
  });
});

Deno.test("a symlink out of the directory is refused naming where it leads", () => {
  withDir((dir, outside) => {
    Deno.symlinkSync(outside, `${dir}/a.yaml`);
    refused(
      () => readBoundedTextFile(dir, `${dir}/a.yaml`, 100),
      `it resolves to "${outside}", outside the config directory "${dir}"`,
    );
  });
});

Deno.test("a FIFO and a directory are refused without being opened", () => {
  withDir((dir) => {
    new Deno.Command("mkfifo", { args: [`${dir}/f.yaml`] }).outputSync();
    Deno.mkdirSync(`${dir}/d.yaml`);
    refused(
      () => readBoundedTextFile(dir, `${dir}/f.yaml`, 100),
      "it is a FIFO, not a regular file",
    );
    refused(
      () => readBoundedTextFile(dir, `${dir}/d.yaml`, 100),
      "it is a directory, not a regular file",
    );
  });
});

Deno.test("a file over the cap is refused; one at the cap is read", () => {
  withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/a.yaml`, "x".repeat(10));
    assert.equal(readBoundedTextFile(dir, `${dir}/a.yaml`, 10), "x".repeat(10));
    refused(
      () => readBoundedTextFile(dir, `${dir}/a.yaml`, 9),
      "it is larger than 9 bytes (raise the limit with --config.max-size)",
    );
  });
});

Deno.test("readers that cannot stop early are held to the cap by loadConfigs", () => {
  const fs = memFs({ "cfg/t.yaml": "metrics: {}\n" });
  assert.throws(() => loadConfigs("cfg", ["t"], fs, { maxBytes: 5 }), {
    name: "ConfigError",
    message: 'Cannot load config "t": refusing to read "cfg/t.yaml": it is larger than 5 ' +
      "bytes (raise the limit with --config.max-size)",
  });
});

Deno.test("config names must be plain file names", () => {
  for (const name of ["../t", "a/b", ".t", "..", "a..b", "/etc/passwd"]) {
    assert.throws(() => loadConfigs("cfg", [name], memFs({})), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        `Cannot load config ${JSON.stringify(name)}: config names must be plain file names ` +
          `(no "/", no "..", no leading ".")`,
      );
      return true;
    });
  }
});
