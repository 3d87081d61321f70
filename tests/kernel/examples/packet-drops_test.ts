/**
 * packet-drops: from a private network namespace, sends UDP datagrams to a loopback port that
 * no socket holds. UDP drops each one (no socket), for IPv4 in __udp4_lib_rcv and for IPv6 in
 * __udp6_lib_rcv (or the udp_rcv / udpv6_rcv they are inlined into on some builds).
 */

import assert from "node:assert/strict";
import { isReadable } from "../../../ffi/libc.ts";
import { kernelTest, note } from "../harness.ts";
import {
  expectNotAttached,
  inNetns,
  metrics,
  samples,
  tracepointMissing,
  withExample,
  withNetns,
} from "./common.ts";

const METRIC = "ebpf_exporter_packet_drops_total";
const DATAGRAMS = 20;

/** Drops counted for ethertype `ethertype` in functions whose name matches `fn`. */
function drops(text: string, ethertype: string, fn: RegExp): number {
  return samples(text, METRIC)
    .filter((s) => s.labels.ethertype === ethertype && fn.test(s.labels.function ?? ""))
    .reduce((n, s) => n + s.value, 0);
}

kernelTest("packet-drops names the function that dropped datagrams to a closed port", async () => {
  if (await tracepointMissing("skb", "kfree_skb") !== null) {
    await expectNotAttached("packet-drops", "kfree_skb");
    return;
  }
  const ipv6 = isReadable("/proc/net/if_inet6");
  if (!ipv6) note("IPv6 is disabled in this kernel: only IPv4 datagrams are sent");
  const targets = [
    { host: "127.0.0.1", ethertype: "0800", fn: /^(__udp4_lib_rcv|udp_rcv)$/ },
    ...(ipv6 ? [{ host: "::1", ethertype: "86dd", fn: /^(__udp6_lib_rcv|udpv6_rcv)$/ }] : []),
  ];
  await withNetns((ns) =>
    withExample("packet-drops", async (ex) => {
      const before = await metrics(ex);
      const port = 20000 + Math.floor(Math.random() * 40000);
      for (const t of targets) {
        // Each redirection opens a UDP socket, sends one datagram and closes it.
        await inNetns(ns, "bash", [
          "-c",
          `for ((i = 0; i < ${DATAGRAMS}; i++)); do echo x > /dev/udp/${t.host}/${port}; done`,
        ]);
      }
      const after = await metrics(ex);
      for (const t of targets) {
        const grew = drops(after, t.ethertype, t.fn) - drops(before, t.ethertype, t.fn);
        assert.ok(grew >= DATAGRAMS, `${t.host}: ${grew} drops counted\n${after}`);
      }
    })
  );
});
