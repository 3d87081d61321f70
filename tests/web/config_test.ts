/** The web config file: what each key becomes, and errors naming file, line and key. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { parseWebConfig } from "../../src/web/config.ts";

const FILES: Record<string, string> = {
  "/etc/web/server.crt": "CERT PEM",
  "/etc/web/server.key": "KEY PEM",
  "/etc/ca.crt": "CA PEM",
};
const read = (path: string) => {
  const text = FILES[path];
  if (text === undefined) throw new Deno.errors.NotFound(`No such file: ${path}`);
  return text;
};
const HASH = "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG";

function parse(text: string) {
  return parseWebConfig("/etc/web/web.yml", text, read);
}

function fails(text: string, message: string, line: number, key: string) {
  assert.throws(() => parse(text), (e) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.line, line);
    assert.equal(e.key, key);
    return true;
  });
}

Deno.test("an empty web config serves plain HTTP without authentication", () => {
  const c = parse("");
  assert.equal(c.tls, null);
  assert.equal(c.users.size, 0);
  assert.deepEqual(c.headers, []);
  assert.equal(c.healthyWithoutAuth, false);
});

Deno.test("TLS files are read relative to the web config file, with toolkit defaults", () => {
  const c = parse(
    [
      "tls_server_config:",
      "  cert_file: server.crt",
      "  key_file: server.key",
      "  client_ca_file: /etc/ca.crt",
      "  client_auth_type: RequireAndVerifyClientCert",
      "  min_version: TLS13",
      "  prefer_server_cipher_suites: true",
      "  cipher_suites: []",
    ].join("\n"),
  );
  assert.deepEqual(c.tls, {
    cert: "CERT PEM",
    key: "KEY PEM",
    clientCa: "CA PEM",
    clientAuth: "RequireAndVerifyClientCert",
    minVersion: "TLSv1.3",
    maxVersion: "TLSv1.3",
  });
});

Deno.test("inline PEM, users, headers and our healthy_without_auth key", () => {
  const c = parse(
    [
      "tls_server_config:",
      "  cert: INLINE CERT",
      "  key: INLINE KEY",
      "basic_auth_users:",
      `  alice: ${HASH}`,
      "http_server_config:",
      "  http2: false",
      "  headers:",
      "    X-Frame-Options: deny",
      "    Strict-Transport-Security: max-age=31536000",
      "    Content-Security-Policy: ''",
      "ebpf_exporter:",
      "  healthy_without_auth: true",
    ].join("\n"),
  );
  assert.equal(c.tls?.cert, "INLINE CERT");
  assert.equal(c.tls?.clientAuth, "NoClientCert");
  assert.equal(c.tls?.minVersion, "TLSv1.2");
  assert.deepEqual([...c.users], [["alice", HASH]]);
  assert.deepEqual(c.headers, [
    ["X-Frame-Options", "deny"],
    ["Strict-Transport-Security", "max-age=31536000"],
  ]);
  assert.equal(c.healthyWithoutAuth, true);
});

Deno.test("web config errors name file, line and key", () => {
  const F = "/etc/web/web.yml";
  fails(
    "tls_server_confg: {}\n",
    `${F}:1: tls_server_confg: unknown key "tls_server_confg", allowed keys are tls_server_config, http_server_config, basic_auth_users, rate_limit, ebpf_exporter`,
    1,
    "tls_server_confg",
  );
  fails(
    "basic_auth_users:\n  alice: hunter2\n",
    `${F}:2: basic_auth_users.alice: must be a bcrypt hash like $2y$10$… (htpasswd -nBC 10 "")`,
    2,
    "basic_auth_users.alice",
  );
  fails(
    "tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n",
    `${F}:2: tls_server_config.cert_file: cannot read "/etc/web/nope.crt": No such file: /etc/web/nope.crt`,
    2,
    "tls_server_config.cert_file",
  );
  fails(
    "tls_server_config:\n  key_file: server.key\n",
    `${F}:2: tls_server_config: missing cert_file (or cert)`,
    2,
    "tls_server_config",
  );
  fails(
    "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerify\n",
    `${F}:4: tls_server_config.client_auth_type: unknown client_auth_type, expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert`,
    4,
    "tls_server_config.client_auth_type",
  );
  fails(
    "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: VerifyClientCertIfGiven\n",
    `${F}:4: tls_server_config.client_auth_type: VerifyClientCertIfGiven needs client_ca_file (or client_ca)`,
    4,
    "tls_server_config.client_auth_type",
  );
  fails(
    "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS11\n",
    `${F}:4: tls_server_config.min_version: TLS11 is not supported: Deno's TLS speaks TLS12 and TLS13 only`,
    4,
    "tls_server_config.min_version",
  );
  fails(
    "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n",
    `${F}:5: tls_server_config.max_version: is below min_version`,
    5,
    "tls_server_config.max_version",
  );
  fails(
    "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n",
    `${F}:5: tls_server_config.cipher_suites: Deno's TLS (rustls) offers no choice of cipher suites; remove the key`,
    5,
    "tls_server_config.cipher_suites",
  );
  fails(
    "http_server_config:\n  headers:\n    X-Frame-Options: allow-all\n",
    `${F}:3: http_server_config.headers.X-Frame-Options: value not allowed for X-Frame-Options`,
    3,
    "http_server_config.headers.X-Frame-Options",
  );
  fails(
    "http_server_config:\n  headers:\n    Server: mine\n",
    `${F}:3: http_server_config.headers.Server: unknown key "Server", allowed keys are Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security`,
    3,
    "http_server_config.headers.Server",
  );
  fails(
    "rate_limit:\n  burst: 20\n",
    `${F}:2: rate_limit: rate limiting is not supported; remove the key`,
    2,
    "rate_limit",
  );
  fails(
    "ebpf_exporter:\n  healthy_without_auth: maybe\n",
    `${F}:2: ebpf_exporter.healthy_without_auth: must be true or false, got maybe`,
    2,
    "ebpf_exporter.healthy_without_auth",
  );
  fails(
    "basic_auth_users: [\n",
    `${F}:2:1: cannot parse YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    2,
    "",
  );
});
