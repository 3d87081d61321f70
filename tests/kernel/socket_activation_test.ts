/**
 * systemd socket activation: systemd-socket-activate holds the listening socket, starts the
 * exporter on the first connection with the socket as fd 3, and the exporter serves on it.
 */

import assert from "node:assert/strict";
import { permissionFlags } from "../../src/permissions.ts";
import { kill, spawnPiped } from "./process.ts";
import { causeTimers, kernelTest, note, ROOT, waitUntil } from "./harness.ts";

const ACTIVATE = "/usr/bin/systemd-socket-activate";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function curl(url: string): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", "60", url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: o.code, out: new TextDecoder().decode(o.stdout) };
}

kernelTest("fd://0 serves /metrics on the socket systemd-socket-activate passes", async () => {
  const port = freePort();
  const child = spawnPiped([
    ACTIVATE,
    "-l",
    `127.0.0.1:${port}`,
    Deno.execPath(),
    "run",
    "--quiet",
    ...permissionFlags("exporter"),
    `${ROOT}/main.ts`,
    "--log.no-timestamps",
    "--config.dir",
    `${ROOT}/examples`,
    "--config.names",
    "timers",
    "--web.listen-address=fd://0",
  ], "null");
  let log = "";
  const pumps = [child.stdout, child.stderr].map(async (s) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) log += chunk;
  });
  try {
    await waitUntil("systemd-socket-activate to listen", () => /Listening on/.test(log));
    await causeTimers();
    // This first connection is what starts the exporter; it waits in the socket's backlog.
    const first = await curl(`http://127.0.0.1:${port}/metrics`);
    assert.equal(first.code, 0, log);
    assert.match(first.out, /^ebpf_exporter_timer_starts_total\{/m);
    assert.match(log, /Listening on 127\.0\.0\.1:\d+/);
    const again = await curl(`http://127.0.0.1:${port}/metrics`);
    assert.match(again.out, /^ebpf_exporter_timer_starts_total\{/m);
    note(`socket activation log:\n${log.trim()}`);
  } finally {
    kill(child, "SIGTERM");
    const status = await child.status;
    await Promise.all(pumps);
    assert.equal(status.code, 0, `exporter exit status:\n${log}`);
  }
});
