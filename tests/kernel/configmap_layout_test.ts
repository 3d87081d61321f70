/**
 * deploy/kubernetes mounts configs from a ConfigMap. The kubelet writes a ConfigMap volume as a
 * timestamped directory, a `..data` symlink to it and one symlink per key (`NAME.yaml ->
 * ..data/NAME.yaml`); the exporter must load a config and its object through those links.
 */

import assert from "node:assert/strict";
import { kernelTest, ROOT, runExporter } from "./harness.ts";

kernelTest("configs load from a directory laid out like a ConfigMap volume", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ebpf_exporter_configmap_" });
  try {
    const stamp = "..2026_11_29_23_00_00.123456789";
    await Deno.mkdir(`${dir}/${stamp}`);
    for (const file of ["attach_raw_tp.yaml", "attach_raw_tp.bpf.o"]) {
      await Deno.copyFile(`${ROOT}/tests/fixtures/attach/${file}`, `${dir}/${stamp}/${file}`);
      await Deno.symlink(`..data/${file}`, `${dir}/${file}`);
    }
    await Deno.symlink(stamp, `${dir}/..data`);
    const r = await runExporter([
      "--config.check-attach",
      "--config.dir",
      dir,
      "--config.names",
      "attach_raw_tp",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Loaded config "attach_raw_tp": 1 of 1 programs attached/);
    assert.match(r.stderr, /Config check successful, exiting/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
