/**
 * The one regular-expression engine for config regexps (the `regexp` decoder, `cgroup_id_map`):
 * re2js, a pure-JS port of Go's RE2. It keeps RE2's syntax (`(?i)`, `\A`, `\z`, `(?P<name>…)`,
 * `\pL`, POSIX classes) and its linear matching time, so no pattern from a config and no label
 * value from an unprivileged user can make a scrape backtrack for ever. Lookbehinds stay off
 * (re2js only allows them behind a flag); lookaround and backreferences are syntax errors, as in
 * Go.
 */

import { RE2JS } from "re2js";

/** Thrown for a pattern RE2 rejects; the message says why. */
export class Re2SyntaxError extends Error {
  override name = "Re2SyntaxError";
}

// Perl constructs people expect to work: RE2's own message for them is terse.
const PERL_ONLY = /\(\?<?[=!]|\\[1-9]|\(\?P=/;

/** A compiled RE2 pattern. */
export class Re2 {
  /** The pattern as written. */
  readonly source: string;
  /** Number of capture groups. */
  readonly groups: number;
  readonly #re: RE2JS;

  /** Compiles `source`, throwing `Re2SyntaxError` with RE2's reason. */
  constructor(source: string) {
    try {
      this.#re = RE2JS.compile(source);
    } catch (e) {
      const hint = PERL_ONLY.test(source)
        ? " (RE2 has no lookahead, lookbehind or backreferences)"
        : "";
      throw new Re2SyntaxError(`${(e as Error).message}${hint}`, { cause: e });
    }
    this.source = source;
    this.groups = this.#re.groupCount();
  }

  /** Whether the pattern matches anywhere in `text` (unanchored, like Go's MatchString). */
  test(text: string): boolean {
    return this.#re.test(text);
  }

  /**
   * The text of group `group` (0 = the whole match) of the leftmost match in `text`: `null` when
   * nothing matches, "" when that group did not take part in the match.
   */
  matchGroup(text: string, group: number): string | null {
    const m = this.#re.matcher(text);
    if (!m.find()) return null;
    return m.group(group) ?? "";
  }
}

/** Compiles an RE2 pattern, throwing `Re2SyntaxError` with the reason. */
export function compileRe2(pattern: string): Re2 {
  return new Re2(pattern);
}
