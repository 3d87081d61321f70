/**
 * tcp-resets: the test finds a loopback port nobody listens on (it binds one, then closes it)
 * and connects to it ATTEMPTS times; the kernel answers each SYN with a reset. Nothing else
 * talks to that port, so the series of that address and port counts exactly those attempts.
 * The same over IPv6 when ::1 is usable.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest, note } from "../harness.ts";
import { metrics, valueOf, withExample } from "./common.ts";
import { expectNoneAttached } from "./kernel_functions.ts";

const ATTEMPTS = 6;
const METRIC = "ebpf_exporter_tcp_resets_sent_total";

/** A port on `hostname` that was free a moment ago, or null when the address is unusable. */
function closedPort(hostname: string): number | null {
  try {
    const l = Deno.listen({ hostname, port: 0 });
    const port = l.addr.port;
    l.close();
    return port;
  } catch {
    return null;
  }
}

/** Connects `ATTEMPTS` times; each must be refused (a reset came back). */
async function refusedConnects(hostname: string, port: number): Promise<void> {
  for (let i = 0; i < ATTEMPTS; i++) {
    await assert.rejects(
      Deno.connect({ hostname, port }),
      Deno.errors.ConnectionRefused,
      `connect to [${hostname}]:${port} should be refused`,
    );
  }
}

kernelTest("tcp-resets counts the resets of refused connections by address and port", async () => {
  if (!(await hasFeature("kprobe"))) {
    await expectNoneAttached("tcp-resets", ["tcp_v4_send_reset", "tcp_v6_send_reset"]);
    return;
  }
  await withExample("tcp-resets", async (ex) => {
    const targets = [{ hostname: "127.0.0.1", port: closedPort("127.0.0.1") }];
    const v6 = closedPort("::1");
    if (v6 === null) note("::1 is not usable here: only the IPv4 resets are checked");
    else targets.push({ hostname: "::1", port: v6 });

    for (const t of targets) {
      assert.ok(t.port !== null, `no free port on ${t.hostname}`);
      await refusedConnects(t.hostname, t.port);
    }
    const text = await metrics(ex);
    for (const t of targets) {
      const labels = { remote: t.hostname, port: String(t.port) };
      assert.equal(valueOf(text, METRIC, labels), ATTEMPTS, `${JSON.stringify(labels)}:\n${text}`);
    }
  });
});
