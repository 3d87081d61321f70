/**
 * HTTP basic authentication against bcrypt hashes. bcrypt costs tens of milliseconds per check
 * by design, so a result is cached per user, hash and SHA-256 of the password: a scraper sending
 * the same credentials every 15 s pays for bcrypt once, not per scrape. Checks run bcryptjs's
 * asynchronous compare, which works in slices: a flood of wrong passwords costs CPU but never
 * holds the event loop for a whole bcrypt run, so scrapes and health checks keep being served.
 */

import bcrypt from "bcryptjs";
import { createHash, timingSafeEqual } from "node:crypto";

// Enough for many users with a few passwords each; a flood of wrong passwords cannot grow it.
const CACHE_LIMIT = 1024;

// Checked for unknown users so that a wrong name costs as long as a wrong password.
const DUMMY_HASH = "$2a$10$" + "A".repeat(53);

/** Checks `Authorization: Basic` headers against a fixed user table. */
export class BasicAuth {
  readonly #users: Map<string, string>;
  readonly #verified = new Map<string, Uint8Array>();
  readonly #compare: (password: string, hash: string) => Promise<boolean>;

  /** `compare` is bcrypt's check; tests pass a counting wrapper. */
  constructor(
    users: Map<string, string>,
    compare: (password: string, hash: string) => Promise<boolean> = bcrypt.compare,
  ) {
    this.#users = users;
    this.#compare = compare;
  }

  /** Whether any user is configured (no users: every request passes). */
  get enabled(): boolean {
    return this.#users.size > 0;
  }

  /** Whether the header carries the name and password of a configured user. */
  async check(header: string | null): Promise<boolean> {
    const creds = parseBasic(header);
    if (creds === null) return false;
    const hash = this.#users.get(creds.user);
    const digest = createHash("sha256").update(creds.user).update("\0").update(hash ?? "")
      .update("\0").update(creds.password).digest();
    const key = digest.subarray(0, 8).toString("hex");
    const seen = this.#verified.get(key);
    // The map is keyed by a digest prefix; the full digest is compared in constant time.
    if (seen !== undefined && timingSafeEqual(seen, digest)) return true;
    const ok = await this.#compare(creds.password, hash ?? DUMMY_HASH) && hash !== undefined;
    if (ok) this.#remember(key, digest);
    return ok;
  }

  #remember(key: string, digest: Uint8Array): void {
    if (this.#verified.size >= CACHE_LIMIT) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(key, digest);
  }
}

/** Splits `Basic base64(user:password)`; null when the header is absent or malformed. */
export function parseBasic(header: string | null): { user: string; password: string } | null {
  const m = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header ?? "");
  if (m === null) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
