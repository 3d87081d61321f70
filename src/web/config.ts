/**
 * The --web.config.file format of Prometheus' exporter-toolkit (TLS, basic auth users, extra
 * response headers), read with the config reader so every problem names file, line and key.
 * Settings Deno's TLS (rustls) cannot honour are errors, never silently dropped.
 */

import { dirname, isAbsolute, join } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../config/errors.ts";
import { type Field, NodeReader } from "../config/reader.ts";

/** How a client certificate is asked for and checked (Go's crypto/tls ClientAuthType names). */
export type ClientAuth =
  | "NoClientCert"
  | "RequestClientCert"
  | "RequireAnyClientCert"
  | "VerifyClientCertIfGiven"
  | "RequireAndVerifyClientCert";

const CLIENT_AUTH: readonly ClientAuth[] = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
];

/** A TLS protocol version in node:tls spelling. */
export type TlsVersion = "TLSv1.2" | "TLSv1.3";

// rustls speaks TLS 1.2 and 1.3 only; the toolkit's older names are refused with a reason.
const TLS_VERSIONS: Record<string, TlsVersion | null> = {
  TLS10: null,
  TLS11: null,
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
};

/** TLS settings with every file already read (PEM text). */
export interface TlsSettings {
  cert: string;
  key: string;
  clientCa: string | null;
  clientAuth: ClientAuth;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
}

/** A parsed web config file. */
export interface WebConfig {
  file: string;
  tls: TlsSettings | null;
  /** User name to bcrypt hash; empty: no authentication. */
  users: Map<string, string>;
  /** Extra response headers, in file order. */
  headers: Array<[string, string]>;
  /** Our own key: /-/healthy answers without credentials. */
  healthyWithoutAuth: boolean;
}

const TOP_KEYS = [
  "tls_server_config",
  "http_server_config",
  "basic_auth_users",
  "rate_limit",
  "ebpf_exporter",
] as const;
const TLS_KEYS = [
  "cert",
  "key",
  "client_ca",
  "cert_file",
  "key_file",
  "client_ca_file",
  "client_auth_type",
  "client_allowed_sans",
  "min_version",
  "max_version",
  "cipher_suites",
  "prefer_server_cipher_suites",
  "curve_preferences",
] as const;
const HTTP_KEYS = ["http2", "headers"] as const;
const OWN_KEYS = ["healthy_without_auth"] as const;

// The headers the toolkit lets a file add, with the values it accepts (null: any text).
const HEADERS: Record<string, RegExp | null> = {
  "Content-Security-Policy": null,
  "X-Frame-Options": /^(deny|sameorigin)$/i,
  "X-Content-Type-Options": /^nosniff$/i,
  "X-XSS-Protection": null,
  "Strict-Transport-Security": null,
};

// Settings with no rustls counterpart reachable from Deno; a file using them is refused.
const UNSUPPORTED: Record<string, string> = {
  cipher_suites: "Deno's TLS (rustls) offers no choice of cipher suites; remove the key",
  curve_preferences: "Deno's TLS (rustls) offers no choice of curves; remove the key",
  client_allowed_sans: "matching client certificate SANs is not supported; remove the key",
};

const BCRYPT = /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/;

/** Reads and checks a web config file; throws ConfigError naming file, line and key. */
export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    throw new ConfigError(
      { file, line: 0, key: "" },
      `cannot read web config file "${file}": ${(e as Error).message}`,
    );
  }
  return parseWebConfig(file, text, (path) => Deno.readTextFileSync(path));
}

/** Parses web config text; `readFile` reads the certificate and key files it names. */
export function parseWebConfig(
  file: string,
  text: string,
  readFile: (path: string) => string,
): WebConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const at = problem.linePos?.[0] ?? { line: 1, col: 1 };
    throw new ConfigError(
      { file, line: at.line, col: at.col, key: "" },
      `cannot parse YAML: ${problem.message.split(" at line ")[0]}`,
    );
  }
  const config: WebConfig = {
    file,
    tls: null,
    users: new Map(),
    headers: [],
    healthyWithoutAuth: false,
  };
  // An empty file is valid: plain HTTP without authentication, as with the toolkit.
  if (doc.contents === null) return config;
  const r = new NodeReader(file, doc, lines);
  const root = r.field("", doc.contents, doc.contents);
  if (root.node === null) return config;
  if (!isMap(root.node)) throw r.error(root, "the web config must be a mapping");
  const top = r.fields(root, TOP_KEYS);
  if (top.has("rate_limit")) {
    throw r.error(top.get("rate_limit"), "rate limiting is not supported; remove the key");
  }
  const tls = top.get("tls_server_config");
  if (tls.node !== null) config.tls = readTls(r, tls, dirname(file), readFile);
  config.users = readUsers(r, top.get("basic_auth_users"));
  const http = top.get("http_server_config");
  if (http.node !== null) config.headers = readHttp(r, http);
  const own = top.get("ebpf_exporter");
  if (own.node !== null) {
    config.healthyWithoutAuth = r.boolean(r.fields(own, OWN_KEYS).get("healthy_without_auth")) ??
      false;
  }
  return config;
}

function readTls(
  r: NodeReader,
  field: Field,
  dir: string,
  readFile: (path: string) => string,
): TlsSettings {
  const f = r.fields(field, TLS_KEYS);
  for (const [key, why] of Object.entries(UNSUPPORTED)) {
    const v = f.get(key);
    // An empty list asks for the defaults, which is what rustls does anyway.
    if (v.node !== null && (r.list(v)?.length ?? 1) > 0) throw r.error(v, why);
  }
  const pem = (inline: string, fileKey: string): string | null => {
    const text = r.string(f.get(inline));
    const path = r.string(f.get(fileKey));
    if (text !== undefined && path !== undefined) {
      throw r.error(f.get(fileKey), `give either ${inline} or ${fileKey}, not both`);
    }
    if (path === undefined) return text ?? null;
    const full = isAbsolute(path) ? path : join(dir, path);
    try {
      return readFile(full);
    } catch (e) {
      throw r.error(f.get(fileKey), `cannot read "${full}": ${(e as Error).message}`);
    }
  };
  const cert = pem("cert", "cert_file");
  const key = pem("key", "key_file");
  if (cert === null) throw r.error(field, "missing cert_file (or cert)");
  if (key === null) throw r.error(field, "missing key_file (or key)");
  const clientCa = pem("client_ca", "client_ca_file");
  const clientAuth = readClientAuth(r, f.get("client_auth_type"));
  if (clientCa === null && clientAuth.includes("Verify")) {
    throw r.error(f.get("client_auth_type"), `${clientAuth} needs client_ca_file (or client_ca)`);
  }
  const minVersion = readVersion(r, f.get("min_version")) ?? "TLSv1.2";
  const maxVersion = readVersion(r, f.get("max_version")) ?? "TLSv1.3";
  if (minVersion > maxVersion) throw r.error(f.get("max_version"), "is below min_version");
  return { cert, key, clientCa, clientAuth, minVersion, maxVersion };
}

function readClientAuth(r: NodeReader, field: Field): ClientAuth {
  const v = r.string(field);
  if (v === undefined || v === "") return "NoClientCert";
  const auth = CLIENT_AUTH.find((a) => a === v);
  if (auth === undefined) {
    throw r.error(field, `unknown client_auth_type, expected one of ${CLIENT_AUTH.join(", ")}`);
  }
  return auth;
}

function readVersion(r: NodeReader, field: Field): TlsVersion | undefined {
  const v = r.string(field);
  if (v === undefined) return undefined;
  if (!(v in TLS_VERSIONS)) throw r.error(field, `unknown TLS version, expected TLS12 or TLS13`);
  const version = TLS_VERSIONS[v];
  if (version === null || version === undefined) {
    throw r.error(field, `${v} is not supported: Deno's TLS speaks TLS12 and TLS13 only`);
  }
  return version;
}

function readUsers(r: NodeReader, field: Field): Map<string, string> {
  const users = new Map<string, string>();
  if (field.node === null) return users;
  for (const e of r.entries(field)) {
    const hash = r.string(e.value);
    // The hash is not echoed back: a plain password pasted here by mistake stays out of logs.
    if (hash === undefined || !BCRYPT.test(hash)) {
      throw r.error(e.value, 'must be a bcrypt hash like $2y$10$… (htpasswd -nBC 10 "")');
    }
    users.set(e.key, hash);
  }
  return users;
}

function readHttp(r: NodeReader, field: Field): Array<[string, string]> {
  const f = r.fields(field, HTTP_KEYS);
  // http2 is accepted for compatibility; node:https in Deno serves HTTP/1.1 either way.
  r.boolean(f.get("http2"));
  const headers = f.get("headers");
  if (headers.node === null) return [];
  const out: Array<[string, string]> = [];
  r.fields(headers, Object.keys(HEADERS));
  for (const e of r.entries(headers)) {
    const value = r.string(e.value) ?? "";
    const allowed = HEADERS[e.key];
    if (/[\r\n\0]/.test(value)) throw r.error(e.value, "must be one line");
    if (value !== "" && allowed && !allowed.test(value)) {
      throw r.error(e.value, `value not allowed for ${e.key}`);
    }
    if (value !== "") out.push([e.key, value]);
  }
  return out;
}
