/**
 * accept-latency: the test listens on a fresh loopback port, opens CONNECTIONS connections to it
 * and only then accepts them, so each one waits in the accept queue first. Nothing else connects
 * to that port, so the histogram of that port counts exactly those connections.
 */

import assert from "node:assert/strict";
import { hasFeature, kernelTest } from "../harness.ts";
import { metrics, valueOf, withExample } from "./common.ts";
import { expectNoneAttached } from "./kernel_functions.ts";

const CONNECTIONS = 8;
const METRIC = "ebpf_exporter_accept_queue_wait_seconds";

kernelTest("accept-latency observes each accepted connection once, by local port", async () => {
  if (!(await hasFeature("kprobe"))) {
    await expectNoneAttached("accept-latency", [
      "complete_hashdance",
      "reqsk_queue_add",
      "inet_csk_accept_ret",
    ]);
    return;
  }
  await withExample("accept-latency", async (ex) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = String(listener.addr.port);
    const clients: Deno.TcpConn[] = [];
    const accepted: Deno.Conn[] = [];
    try {
      for (let i = 0; i < CONNECTIONS; i++) {
        clients.push(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
      }
      for (let i = 0; i < CONNECTIONS; i++) accepted.push(await listener.accept());
    } finally {
      for (const c of [...clients, ...accepted]) c.close();
      listener.close();
    }
    const text = await metrics(ex);
    assert.equal(valueOf(text, `${METRIC}_count`, { port }), CONNECTIONS, text);
    assert.equal(valueOf(text, `${METRIC}_bucket`, { port, le: "+Inf" }), CONNECTIONS, text);
    // Every wait lies in some bucket of the 0..26 range (2^-20 s units, up to 64 s).
    assert.equal(valueOf(text, `${METRIC}_bucket`, { port, le: "64" }), CONNECTIONS, text);
  });
});
