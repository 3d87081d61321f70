/**
 * `regexp`: the first configured pattern (in order) that matches the input decides the output:
 * with no capture group the matched text, otherwise the text of the first group (empty when
 * that group did not take part in the match). When no pattern matches the whole label set is
 * skipped (`null`). Patterns are Go RE2 syntax, translated by re2.ts and compiled at load time.
 *
 * Deliberate difference: upstream never counts a match of a pattern with two or more groups
 * (such patterns silently skip every row, which looks accidental); here they use their first
 * group, like single-group patterns.
 */

import type { DecoderFactory } from "./types.ts";
import { configError } from "./config_error.ts";
import { compileRe2, groupCount } from "../re2.ts";
import { lenientText, utf8 } from "./text.ts";

interface Pattern {
  re: RegExp;
  groups: number;
}

/** Builds the `regexp` decoder from `regexps`. */
export const regexpDecoder: DecoderFactory = (conf) => {
  if (conf.regexps === undefined || conf.regexps.length === 0) {
    throw configError(conf, "no regexps defined in config");
  }
  const patterns: Pattern[] = conf.regexps.map((p) => {
    try {
      const re = compileRe2(p);
      return { re, groups: groupCount(re) };
    } catch (e) {
      throw configError(conf, `invalid pattern ${JSON.stringify(p)}: ${(e as Error).message}`);
    }
  });
  return {
    decode(input) {
      const text = lenientText(input);
      for (const { re, groups } of patterns) {
        const m = re.exec(text);
        if (m !== null) return utf8(groups === 0 ? m[0] : (m[1] ?? ""));
      }
      return null;
    },
  };
};
