/**
 * dns-queries: a child process binds UDP port 53 on 127.0.0.1 and ::1 and sends DNS queries for
 * names of its own to itself, so every query crosses `lo` (where the example's XDP program
 * looks) and reaches the test's socket, never a resolver. Names under `.invalid` (RFC 6761)
 * could not resolve anywhere anyway.
 */

import assert from "node:assert/strict";
import { isReadable } from "../../../ffi/libc.ts";
import { kernelTest, note } from "../harness.ts";
import { metrics, uniqueTag, valueOf, withExample } from "./common.ts";

const METRIC = "ebpf_exporter_dns_queries_total";
const QUERIES = 5;

/** What the child sends: `count` queries of `qtype` for `name` to `host`:53. */
interface Batch {
  host: string;
  name: string;
  qtype: number;
  count: number;
}

/**
 * The child's code. It needs --unstable-net for UDP, which the test process lacks. Exit 3 means
 * port 53 is taken (a local resolver): then nothing is sent.
 */
function senderSource(batches: Batch[]): string {
  return `
const batches = ${JSON.stringify(batches)};
function query(id, name, qtype) {
  const labels = name.split(".").map((l) => new TextEncoder().encode(l));
  const out = new Uint8Array(12 + labels.reduce((n, l) => n + 1 + l.length, 0) + 5);
  const v = new DataView(out.buffer);
  v.setUint16(0, id);
  v.setUint16(2, 0x0100); // a standard query, recursion desired
  v.setUint16(4, 1); // one question
  let off = 12;
  for (const l of labels) {
    out[off++] = l.length;
    out.set(l, off);
    off += l.length;
  }
  out[off++] = 0;
  v.setUint16(off, qtype);
  v.setUint16(off + 2, 1); // class IN
  return out;
}
for (const b of batches) {
  let sock;
  try {
    sock = Deno.listenDatagram({ hostname: b.host, port: 53, transport: "udp" });
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) Deno.exit(3);
    throw e;
  }
  const to = { hostname: b.host, port: 53, transport: "udp" };
  for (let i = 0; i < b.count; i++) {
    await sock.send(query(i + 1, b.name, b.qtype), to);
    await sock.receive(); // it arrived: it crossed lo
  }
  sock.close();
}
`;
}

kernelTest(
  "dns-queries counts queries crossing lo by interface, ethertype, type and name",
  async () => {
    // XDP in generic mode works on lo on every kernel of the matrix: nothing to probe.
    const tag = uniqueTag();
    const name = `q${tag}.ebpf-exporter.invalid`;
    // 3 labels of 20 bytes fill 63 bytes of the 64-byte key, so the 4th label is cut off.
    const long = Array.from({ length: 4 }, (_, i) => `${i}${tag}`.padEnd(20, "x"));
    const batches: Batch[] = [
      { host: "127.0.0.1", name, qtype: 1, count: QUERIES },
      { host: "127.0.0.1", name: `${long.join(".")}.invalid`, qtype: 1, count: 1 },
    ];
    if (isReadable("/proc/net/if_inet6")) {
      batches.push({ host: "::1", name, qtype: 28, count: QUERIES });
    } else {
      note("IPv6 is disabled in this kernel: only IPv4 queries are sent");
    }
    await withExample("dns-queries", async (ex) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", "--unstable-net", senderSource(batches)],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (out.code === 3) {
        throw new Error("UDP port 53 on loopback is taken (a local resolver?): this test needs it");
      }
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const text = await metrics(ex);
      const lo = { interface: "lo" };
      assert.equal(valueOf(text, METRIC, { ...lo, ethertype: "0800", type: "A", name }), QUERIES);
      const cut = { ...lo, ethertype: "0800", type: "0", name: long.slice(0, 3).join(".") };
      assert.equal(valueOf(text, METRIC, cut), 1, text);
      if (batches.length === 3) {
        assert.equal(
          valueOf(text, METRIC, { ...lo, ethertype: "86dd", type: "AAAA", name }),
          QUERIES,
          text,
        );
      }
    });
  },
);
