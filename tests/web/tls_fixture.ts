/** A throw-away certificate authority for TLS tests, made with the openssl command. */

/** PEM files in `dir`: the CA, a server certificate for localhost, and two client certs. */
export interface TestPki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed, so not from the CA. */
  strangerCert: string;
  strangerKey: string;
}

async function openssl(dir: string, args: string[], input?: string): Promise<void> {
  const p = new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const out = await p.output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

// rustls accepts only X.509 v3 certificates, so every one carries extensions.
async function signed(dir: string, name: string, subject: string, ext: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  ]);
  Deno.writeTextFileSync(`${dir}/${name}.ext`, ext);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
}

/** Creates the CA and certificates in a new temporary directory. */
export async function makePki(): Promise<TestPki> {
  const dir = Deno.makeTempDirSync({ prefix: "ebpf_exporter_tls_" });
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=ebpf_exporter test CA",
  ]);
  await signed(
    dir,
    "server",
    "/CN=localhost",
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n",
  );
  await signed(
    dir,
    "client",
    "/CN=prometheus",
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "stranger.key",
    "-out",
    "stranger.crt",
    "-days",
    "2",
    "-subj",
    "/CN=stranger",
    "-addext",
    "extendedKeyUsage=clientAuth",
  ]);
  const p = (f: string) => `${dir}/${f}`;
  return {
    dir,
    ca: p("ca.crt"),
    serverCert: p("server.crt"),
    serverKey: p("server.key"),
    clientCert: p("client.crt"),
    clientKey: p("client.key"),
    strangerCert: p("stranger.crt"),
    strangerKey: p("stranger.key"),
  };
}

/** Runs curl; the result keeps its exit code, so a refused connection is a value, not a throw. */
export async function curl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", "10", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}
