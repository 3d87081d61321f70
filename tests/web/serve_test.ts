/**
 * The HTTP server over real sockets: TLS, client certificates and basic auth from a web config
 * file (checked with curl), timeouts, the connection cap, and `:PORT` on IPv4 and IPv6.
 */
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { listen } from "../../src/app/resources.ts";
import { parseCommandLine } from "../../src/cli.ts";
import { SlabPool } from "../../src/encode/slab_pool.ts";
import type { Exporter } from "../../src/exporter/exporter.ts";
import { loadWebConfig } from "../../src/web/config.ts";
import { handler } from "../../src/server.ts";
import { startServer } from "../../src/web/serve.ts";
import { waitUntil } from "../kernel/wait.ts";
import { curl, makePki, type TestPki } from "./tls_fixture.ts";

const BODY = "up 1\n";

function fakeExporter(): Exporter {
  return {
    close: () => {},
    formats: new Set(["text"]),
    scrape: () => Promise.resolve([new TextEncoder().encode(BODY)].values()),
    countRequest: () => {},
    slabs: new SlabPool(),
    readiness: () => ({ ready: true, reason: null }),
  } as unknown as Exporter;
}

/** Serves the fake exporter with `args` and the web config `yaml` (if any) while `body` runs. */
async function serving(
  args: string[],
  yaml: string | null,
  dir: string | null,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const file = yaml === null ? null : `${dir ?? Deno.makeTempDirSync()}/web.yml`;
  if (file !== null) Deno.writeTextFileSync(file, yaml!);
  const cmd = parseCommandLine([
    "--config.names=timers",
    "--web.listen-address=127.0.0.1:0",
    ...(file !== null ? [`--web.config.file=${file}`] : []),
    ...args,
  ]);
  if (cmd.kind !== "run") throw new Error("expected a run command");
  await using stack = new AsyncDisposableStack();
  let port = 0;
  const web = cmd.flags.webConfigFile === null ? null : loadWebConfig(cmd.flags.webConfigFile);
  await listen(stack, cmd.flags, fakeExporter(), (a) => port = a.port, web);
  await body(port);
}

let pki: TestPki | null = null;
async function testPki(): Promise<TestPki> {
  return pki ??= await makePki();
}

function tlsYaml(p: TestPki, extra = ""): string {
  return `tls_server_config:\n  cert_file: ${p.serverCert}\n  key_file: ${p.serverKey}\n${extra}`;
}

Deno.test("TLS: curl --cacert gets the metrics, plain HTTP gets nothing", async () => {
  const p = await testPki();
  await serving([], tlsYaml(p), p.dir, async (port) => {
    const ok = await curl(["--cacert", p.ca, `https://localhost:${port}/metrics`]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, BODY);
    const plain = await curl([`http://127.0.0.1:${port}/metrics`]);
    assert.notEqual(plain.code, 0, "plain HTTP must not be answered");
    assert.equal(plain.out, "");
    const unknownCa = await curl([`https://localhost:${port}/metrics`]);
    assert.equal(unknownCa.code, 60, `untrusted certificate: ${unknownCa.err}`);
  });
});

Deno.test("TLS: a client that never starts the handshake is cut off", async () => {
  const p = await testPki();
  await serving(["--web.read-header-timeout=1s"], tlsYaml(p), p.dir, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    let closed = false;
    const elapsed = closedAfter(conn).then((ms) => (closed = true, ms));
    await waitUntil("the silent TLS client to be cut off", () => closed, { timeoutMs: 10000 });
    console.log(`silent TLS client cut off after ${Math.round(await elapsed)} ms (timeout 1s)`);
    conn.close();
  });
});

Deno.test("TLS versions: a TLS13 minimum refuses a TLS 1.2 client", async () => {
  const p = await testPki();
  await serving([], tlsYaml(p, "  min_version: TLS13\n"), p.dir, async (port) => {
    const old = await curl(["--cacert", p.ca, "--tls-max", "1.2", `https://localhost:${port}/`]);
    assert.equal(old.code, 35, old.err);
    const ok = await curl(["--cacert", p.ca, `https://localhost:${port}/metrics`]);
    assert.equal(ok.out, BODY);
  });
});

Deno.test("RequireAndVerifyClientCert: no cert or a foreign one is refused, the CA's passes", async () => {
  const p = await testPki();
  const extra = `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${p.ca}\n`;
  await serving([], tlsYaml(p, extra), p.dir, async (port) => {
    const url = `https://localhost:${port}/metrics`;
    const none = await curl(["--cacert", p.ca, url]);
    assert.notEqual(none.code, 0);
    assert.equal(none.out, "");
    const stranger = await curl([
      "--cacert",
      p.ca,
      "--cert",
      p.strangerCert,
      "--key",
      p.strangerKey,
      url,
    ]);
    assert.notEqual(stranger.code, 0);
    assert.equal(stranger.out, "");
    const ok = await curl(["--cacert", p.ca, "--cert", p.clientCert, "--key", p.clientKey, url]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, BODY);
  });
});

Deno.test("RequireAnyClientCert and VerifyClientCertIfGiven, checked after the handshake", async () => {
  const p = await testPki();
  const any = `  client_auth_type: RequireAnyClientCert\n`;
  await serving([], tlsYaml(p, any), p.dir, async (port) => {
    const url = `https://localhost:${port}/metrics`;
    assert.equal((await curl(["--cacert", p.ca, url])).out, "");
    const stranger = await curl([
      "--cacert",
      p.ca,
      "--cert",
      p.strangerCert,
      "--key",
      p.strangerKey,
      url,
    ]);
    assert.equal(stranger.out, BODY, "any certificate will do");
  });
  const ifGiven = `  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ${p.ca}\n`;
  await serving([], tlsYaml(p, ifGiven), p.dir, async (port) => {
    const url = `https://localhost:${port}/metrics`;
    assert.equal((await curl(["--cacert", p.ca, url])).out, BODY, "no certificate is fine");
    const stranger = await curl([
      "--cacert",
      p.ca,
      "--cert",
      p.strangerCert,
      "--key",
      p.strangerKey,
      url,
    ]);
    assert.equal(stranger.out, "", "a certificate not from the CA is refused");
    const ok = await curl(["--cacert", p.ca, "--cert", p.clientCert, "--key", p.clientKey, url]);
    assert.equal(ok.out, BODY);
  });
});

Deno.test("basic auth: 401 without or with a wrong password, 200 with the right one", async () => {
  const hash = bcrypt.hashSync("s3cret", 4);
  const yaml = `basic_auth_users:\n  prometheus: ${hash}\n` +
    `http_server_config:\n  headers:\n    X-Frame-Options: deny\n`;
  await serving([], yaml, null, async (port) => {
    const url = `http://127.0.0.1:${port}/metrics`;
    const code = async (args: string[]) =>
      (await curl(["-o", "/dev/null", "-w", "%{http_code}", ...args, url])).out;
    assert.equal(await code([]), "401");
    assert.equal(await code(["-u", "prometheus:wrong"]), "401");
    assert.equal(await code(["-u", "nobody:s3cret"]), "401");
    assert.equal(await code(["-u", "prometheus:s3cret"]), "200");
    const head = await curl(["-i", "-u", "prometheus:s3cret", url]);
    assert.match(head.out, /^x-frame-options: deny\r$/im);
    const denied = await curl(["-i", url]);
    assert.match(denied.out, /^www-authenticate: Basic realm="ebpf_exporter"/im);
    assert.match(denied.out, /^x-frame-options: deny\r$/im, "extra headers on every answer");
    // /-/healthy needs credentials unless the file says otherwise.
    const healthy = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${port}/-/healthy`,
    ]);
    assert.equal(healthy.out, "401");
  });
  const open =
    `basic_auth_users:\n  prometheus: ${hash}\nebpf_exporter:\n  healthy_without_auth: true\n`;
  await serving([], open, null, async (port) => {
    const r = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${port}/-/healthy`,
    ]);
    assert.notEqual(r.out, "401", "healthy_without_auth lets /-/healthy through");
    const m = await curl([
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${port}/metrics`,
    ]);
    assert.equal(m.out, "401", "and nothing else");
  });
});

/** Reads from `conn` until the server closes it; resolves with how long that took. */
async function closedAfter(conn: Deno.Conn): Promise<number> {
  const t0 = performance.now();
  const buf = new Uint8Array(512);
  try {
    while ((await conn.read(buf)) !== null) { /* a 408 answer may come first */ }
  } catch { /* reset counts as closed */ }
  return performance.now() - t0;
}

Deno.test("a client sending half a request is cut off while scrapes go on", async () => {
  await serving(["--web.read-header-timeout=1s"], null, null, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
    let closed = false;
    const elapsed = closedAfter(conn).then((ms) => (closed = true, ms));
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(await r.text(), BODY, "scrapes are served meanwhile");
    await waitUntil("the half-sent request to be cut off", () => closed, { timeoutMs: 10000 });
    console.log(`half request cut off after ${Math.round(await elapsed)} ms (timeout 1s)`);
    conn.close();
  });
});

Deno.test("idle keep-alive connections are closed after --web.idle-timeout", async () => {
  await serving(["--web.idle-timeout=500ms"], null, null, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    let closed = false;
    const elapsed = closedAfter(conn).then((ms) => (closed = true, ms));
    await waitUntil("the idle connection to be closed", () => closed, { timeoutMs: 10000 });
    console.log(`idle keep-alive connection closed after ${Math.round(await elapsed)} ms`);
    conn.close();
  });
});

Deno.test("--web.idle-timeout=0 closes each connection after its response", async () => {
  await serving(["--web.idle-timeout=0"], null, null, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    let text = "";
    const buf = new Uint8Array(4096);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    assert.match(text, /^connection: close\r$/im);
    assert.ok(text.endsWith(BODY), text);
    conn.close();
  });
});

async function scrapeLatencies(port: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(await r.text(), BODY);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

Deno.test("500 idle connections do not stop scrapes (latency reported, not asserted)", async () => {
  await serving(["--web.read-header-timeout=60s"], null, null, async (port) => {
    const before = await scrapeLatencies(port, 50);
    const idle: Deno.Conn[] = [];
    try {
      for (let i = 0; i < 500; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      const during = await scrapeLatencies(port, 50);
      const f = (xs: number[]) =>
        `p50 ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms`;
      console.log(`scrape latency: alone ${f(before)}; with 500 idle connections ${f(during)}`);
    } finally {
      for (const c of idle) c.close();
    }
  });
});

Deno.test("--web.max-connections refuses connections beyond the cap", async () => {
  await serving(["--web.max-connections=3"], null, null, async (port) => {
    const idle: Deno.Conn[] = [];
    for (let i = 0; i < 3; i++) idle.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    const over = await curl([`http://127.0.0.1:${port}/metrics`]);
    assert.notEqual(over.code, 0, "a fourth connection is closed");
    for (const c of idle) c.close();
    await waitUntil(
      "a connection slot to free up",
      async () => (await curl([`http://127.0.0.1:${port}/metrics`])).out === BODY,
    );
  });
});

function hasIpv6Loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: ":PORT answers on IPv4 127.0.0.1 and IPv6 ::1",
  ignore: !hasIpv6Loopback(),
  fn: async () => {
    const cmd = parseCommandLine(["--config.names=timers", "--web.listen-address=:0"]);
    if (cmd.kind !== "run") throw new Error("expected a run command");
    await using stack = new AsyncDisposableStack();
    const server = await listen(stack, cmd.flags, fakeExporter(), () => {});
    assert.equal(server.addr.hostname, "::");
    for (const host of ["127.0.0.1", "[::1]"]) {
      const r: Response = await fetch(`http://${host}:${server.addr.port}/metrics`);
      assert.equal(await r.text(), BODY, host);
    }
  },
});

Deno.test("a client that stops reading a streamed body is disconnected after the stall time", async () => {
  // 32 MB in 64 KB chunks: far more than the socket buffers hold, so writes wait for the client.
  const chunk = new TextEncoder().encode("x".repeat(65535) + "\n");
  const routes = handler({
    telemetryPath: "/metrics",
    metrics: () =>
      Promise.resolve({
        chunks: Array.from({ length: 512 }, () => chunk).values(),
        contentType: "text/plain",
      }),
  }, 300);
  const limits = { headerTimeoutMs: 10000, idleTimeoutMs: 10000, maxConnections: 0 };
  const server = await startServer(routes, {
    bind: { hostname: "127.0.0.1", port: 0 },
    limits,
    web: null,
  });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    // Read nothing: the server must drop the connection once the body stalls (300 ms here).
    await waitUntil("the connection to open", async () => await server.connections() === 1);
    await waitUntil(
      "the stalled connection to be dropped",
      async () => await server.connections() === 0,
      { timeoutMs: 10000 },
    );
    let total = 0;
    const buf = new Uint8Array(65536);
    try {
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) total += n;
    } catch { /* reset */ }
    assert.ok(total < 512 * chunk.length, `got ${total} bytes of ${512 * chunk.length}`);
    conn.close();
  } finally {
    await server.close(100);
  }
});
