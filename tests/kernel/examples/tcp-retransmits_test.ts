/**
 * tcp-retransmits: connects from a private network namespace towards documentation addresses
 * behind a veth pair that drops every frame, so each SYN goes unanswered and is retransmitted
 * until connect gives up (tcp_syn_retries = 1 keeps that short). How many retransmits that takes
 * differs between kernels, but the namespace's own TCP counter (RetransSegs) counts the same
 * events, and nothing else in the namespace sends TCP.
 */

import assert from "node:assert/strict";
import { isReadable } from "../../../ffi/libc.ts";
import { kernelTest, note } from "../harness.ts";
import {
  expectNotAttached,
  inNetns,
  metrics,
  tracepointMissing,
  valueOf,
  withExample,
  withNetns,
} from "./common.ts";

const METRIC = "ebpf_exporter_tcp_retransmits_total";

/** Opens a TCP connection with bash from inside `ns`; resolves when connect gives up. */
async function connectFrom(ns: string, host: string, port: number): Promise<void> {
  // bash's /dev/tcp connects with a blocking connect(2); it fails with ETIMEDOUT (exit 1).
  await new Deno.Command("ip", {
    args: ["netns", "exec", ns, "timeout", "60", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`],
    stdout: "null",
    stderr: "null",
  }).output();
}

/** The namespace's TCP RetransSegs counter (IPv4 and IPv6 together) from /proc/net/snmp. */
async function tcpRetransSegs(ns: string): Promise<number> {
  const lines = (await inNetns(ns, "cat", ["/proc/net/snmp"])).split("\n");
  const [names, values] = lines.filter((l) => l.startsWith("Tcp:")).map((l) => l.split(/\s+/));
  const i = names?.indexOf("RetransSegs") ?? -1;
  if (i < 0 || values?.[i] === undefined) throw new Error(`no Tcp RetransSegs in /proc/net/snmp`);
  return Number(values[i]);
}

kernelTest("tcp-retransmits counts each unanswered SYN by address, port and state", async () => {
  if (await tracepointMissing("tcp", "tcp_retransmit_skb") !== null) {
    await expectNotAttached("tcp-retransmits", "tcp_retransmit_skb");
    return;
  }
  const ipv6 = isReadable("/proc/net/if_inet6");
  if (!ipv6) note("IPv6 is disabled in this kernel: only the IPv4 connect runs");
  await withNetns(async (ns) => {
    // Per namespace; written directly (procps' sysctl may not be installed).
    await inNetns(ns, "sh", ["-c", "echo 1 > /proc/sys/net/ipv4/tcp_syn_retries"]);
    // A veth pair whose far end accepts nothing: frames to the static neighbour's MAC are for
    // another host, so the far end drops them, and no ARP or ND is needed to send them.
    await inNetns(ns, "ip", ["link", "add", "rtx0", "type", "veth", "peer", "name", "rtx1"]);
    await inNetns(ns, "ip", ["link", "set", "rtx1", "up"]);
    await inNetns(ns, "ip", ["link", "set", "rtx0", "up"]);
    const neighbour = ["lladdr", "02:00:00:00:00:02", "dev", "rtx0", "nud", "permanent"];
    await inNetns(ns, "ip", ["addr", "add", "192.0.2.1/24", "dev", "rtx0"]);
    await inNetns(ns, "ip", ["neigh", "add", "192.0.2.2", ...neighbour]);
    if (ipv6) {
      await inNetns(ns, "ip", ["addr", "add", "2001:db8::1/64", "dev", "rtx0", "nodad"]);
      await inNetns(ns, "ip", ["-6", "neigh", "add", "2001:db8::2", ...neighbour]);
    }
    const port = 20000 + Math.floor(Math.random() * 40000);
    const expected = [
      { local_address: "192.0.2.1", remote_address: "192.0.2.2" },
      ...(ipv6 ? [{ local_address: "2001:db8::1", remote_address: "2001:db8::2" }] : []),
    ].map((a) => ({ ...a, remote_port: String(port), state: "SYN_SENT" }));

    await withExample("tcp-retransmits", async (ex) => {
      await Promise.all(expected.map((e) => connectFrom(ns, e.remote_address, port)));
      // connect(2) has given up, so no SYN is pending; the counts are final.
      const text = await metrics(ex);
      const counts = expected.map((labels) => valueOf(text, METRIC, labels));
      for (const [i, n] of counts.entries()) {
        assert.ok(n >= 1, `${JSON.stringify(expected[i])} counted ${n}:\n${text}`);
      }
      const retransSegs = await tcpRetransSegs(ns);
      assert.equal(counts.reduce((a, b) => a + b, 0), retransSegs, text);
    });
  });
});
