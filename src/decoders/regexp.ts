/**
 * `regexp`: the first configured pattern (in order) that matches the input decides the output:
 * with no capture group the matched text, otherwise the text of the first group (empty when
 * that group did not take part in the match). When no pattern matches the whole label set is
 * skipped (`null`). Patterns are Go RE2 syntax, compiled by re2.ts when the decoder is built
 * (config load), and match in time linear in the input.
 *
 * Input that is not valid UTF-8 is matched as repaired text (see `repairedText`), so the output
 * is always valid UTF-8 and the repair is counted once.
 *
 * Deliberate difference: upstream never counts a match of a pattern with two or more groups
 * (such patterns silently skip every row, which looks accidental); here they use their first
 * group, like single-group patterns.
 */

import type { DecoderFactory } from "./types.ts";
import { configError } from "./config_error.ts";
import { compileRe2, type Re2 } from "../re2.ts";
import { repairedText, utf8 } from "./text.ts";

/** Builds the `regexp` decoder from `regexps`. */
export const regexpDecoder: DecoderFactory = (conf) => {
  if (conf.regexps === undefined || conf.regexps.length === 0) {
    throw configError(conf, "no regexps defined in config");
  }
  const patterns: Re2[] = conf.regexps.map((p) => {
    try {
      return compileRe2(p);
    } catch (e) {
      throw configError(conf, `invalid pattern ${JSON.stringify(p)}: ${(e as Error).message}`);
    }
  });
  return {
    decode(input, state) {
      const text = repairedText(input, state);
      for (const re of patterns) {
        const out = re.matchGroup(text, re.groups === 0 ? 0 : 1);
        if (out !== null) return utf8(out);
      }
      return null;
    },
  };
};
