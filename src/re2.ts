/**
 * Translates Go RE2 patterns (what upstream configs are written in) into equivalent JavaScript
 * RegExps, rejecting what RE2 itself rejects but JS would accept with another meaning.
 *
 * Handled: `(?P<name>…)` → `(?<name>…)`; leading flag groups `(?i)`, `(?s)`, `(?m)` (and
 * combinations); scoped flag groups `(?i:…)`, `(?s-m:…)`; `\A`, `\z`, `\Q…\E`, `\x{…}`,
 * octal escapes, `\pL`/`\p{Greek}`/`\p{^Greek}`, POSIX classes `[[:alpha:]]`, RE2's ASCII-only
 * `\s`, `.` not matching only `\n` (JS `.` also excludes `\r`, U+2028 and U+2029), `^`/`$` in
 * multi-line mode breaking only at `\n`, and literal `{`/`}` that are not repetitions.
 *
 * Rejected with a message: lookahead/lookbehind, backreferences (`\1`, `(?P=name)`), `\C`,
 * `\Z`, ungreedy mode `(?U)`, flag groups in the middle of a pattern (write `(?i:…)` instead),
 * negated POSIX classes inside a class, repetition counts over 1000 and unknown escapes.
 *
 * The result always uses the `u` flag, so `.` and classes work on code points like RE2 works on
 * runes.
 */

/** A translated pattern, ready for `new RegExp(source, flags)`. */
export interface Translated {
  source: string;
  flags: string;
}

/** Thrown for patterns that RE2 rejects or that cannot be expressed in JS. */
export class Re2SyntaxError extends Error {
  override name = "Re2SyntaxError";
}

const SYNTAX_CHARS = new Set("^$\\.*+?()[]{}|/".split(""));

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`\\{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

// RE2's \s is ASCII only: tab, newline, form feed, carriage return, space (no \v).
const RE2_SPACE = "\\t\\n\\f\\r ";
const RE2_NOT_SPACE = "\\x00-\\x08\\x0b\\x0e-\\x1f\\x21-\\u{10ffff}";

const GENERAL_CATEGORIES = new Set(
  (
    "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps " +
    "S Sc Sk Sm So Z Zl Zp Zs"
  ).split(" "),
);

interface Mode {
  dotAll: boolean;
  multiLine: boolean;
}

/** A code point as a JS regexp escape that is valid in `u` mode everywhere. */
function escapeCodePoint(cp: number): string {
  if (cp < 0x80 && SYNTAX_CHARS.has(String.fromCharCode(cp))) return "\\" + String.fromCharCode(cp);
  return `\\u{${cp.toString(16)}}`;
}

function unicodeClass(name: string, negated: boolean): string {
  let n = name;
  let neg = negated;
  if (n.startsWith("^")) {
    n = n.slice(1);
    neg = !neg;
  }
  const p = neg ? "\\P" : "\\p";
  if (n === "Any") return neg ? "[^\\s\\S]" : "[\\s\\S]";
  if (GENERAL_CATEGORIES.has(n)) return `${p}{${n}}`;
  if (!/^[A-Za-z_]+$/.test(n)) throw new Re2SyntaxError(`invalid Unicode class "${name}"`);
  return `${p}{Script=${n}}`;
}

class Translator {
  readonly #src: string;
  #i = 0;
  #out = "";
  #mode: Mode = { dotAll: false, multiLine: false };
  #ignoreCase = false;
  readonly #stack: Mode[] = [];

  constructor(src: string) {
    this.#src = src;
  }

  run(): Translated {
    this.#leadingFlags();
    while (this.#i < this.#src.length) this.#atom();
    if (this.#stack.length > 0) throw new Re2SyntaxError("missing closing )");
    return { source: this.#out, flags: this.#ignoreCase ? "iu" : "u" };
  }

  #peek(offset = 0): string {
    return this.#src[this.#i + offset] ?? "";
  }

  #rest(): string {
    return this.#src.slice(this.#i);
  }

  /** Consumes `(?flags)` groups at the very start; they set the flags for the whole pattern. */
  #leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([imsU]+)\)/.exec(this.#rest());
      if (!m) return;
      for (const f of m[1]!) {
        if (f === "U") throw new Re2SyntaxError("ungreedy mode (?U) is not supported");
        if (f === "i") this.#ignoreCase = true;
        if (f === "s") this.#mode.dotAll = true;
        if (f === "m") this.#mode.multiLine = true;
      }
      this.#i += m[0].length;
    }
  }

  #atom(): void {
    const c = this.#peek();
    switch (c) {
      case "\\":
        this.#out += this.#escape(false);
        return;
      case "[":
        this.#out += this.#charClass();
        return;
      case "(":
        this.#group();
        return;
      case ")":
        if (this.#stack.length === 0) throw new Re2SyntaxError("unexpected )");
        this.#mode = this.#stack.pop()!;
        this.#out += ")";
        this.#i++;
        return;
      case ".":
        this.#out += this.#mode.dotAll ? "[\\s\\S]" : "[^\\n]";
        this.#i++;
        return;
      case "^":
        this.#out += this.#mode.multiLine ? "(?<![^\\n])" : "^";
        this.#i++;
        return;
      case "$":
        this.#out += this.#mode.multiLine ? "(?![^\\n])" : "$";
        this.#i++;
        return;
      case "{": {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#rest());
        if (m) {
          if (Number(m[1]) > 1000 || (m[3] !== undefined && m[3] !== "" && Number(m[3]) > 1000)) {
            throw new Re2SyntaxError(`repetition count too large in "${m[0]}" (RE2 allows 1000)`);
          }
          this.#out += m[0];
          this.#i += m[0].length;
        } else {
          this.#out += "\\{";
          this.#i++;
        }
        return;
      }
      case "}":
        this.#out += "\\}";
        this.#i++;
        return;
      default: {
        const cp = this.#src.codePointAt(this.#i)!;
        this.#out += String.fromCodePoint(cp);
        this.#i += cp > 0xffff ? 2 : 1;
      }
    }
  }

  #group(): void {
    const rest = this.#rest();
    this.#stack.push({ ...this.#mode });
    if (!rest.startsWith("(?")) {
      this.#out += "(";
      this.#i++;
      return;
    }
    if (/^\(\?(=|!|<=|<!)/.test(rest)) {
      throw new Re2SyntaxError("lookahead and lookbehind assertions are not supported by RE2");
    }
    if (rest.startsWith("(?P=")) {
      throw new Re2SyntaxError("backreferences are not supported by RE2");
    }
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.#out += `(?<${named[1]}>`;
      this.#i += named[0].length;
      return;
    }
    if (rest.startsWith("(?:")) {
      this.#out += "(?:";
      this.#i += 3;
      return;
    }
    const flags = /^\(\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest);
    if (!flags) throw new Re2SyntaxError(`invalid or unsupported group syntax at "${rest}"`);
    if (flags[3] === ")") {
      throw new Re2SyntaxError(
        `flag group "${flags[0]}" is only supported at the start of the pattern; ` +
          "use a scoped group such as (?i:...) instead",
      );
    }
    const on = flags[1] ?? "";
    const off = flags[2] ?? "";
    if (on.includes("U") || off.includes("U")) {
      throw new Re2SyntaxError("ungreedy mode (?U) is not supported");
    }
    if (on.includes("s")) this.#mode.dotAll = true;
    if (off.includes("s")) this.#mode.dotAll = false;
    if (on.includes("m")) this.#mode.multiLine = true;
    if (off.includes("m")) this.#mode.multiLine = false;
    // Only case folding is left to JS modifiers; `.`, `^` and `$` are rewritten here.
    const jsOn = on.includes("i") ? "i" : "";
    const jsOff = off.includes("i") ? "-i" : "";
    this.#out += `(?${jsOn}${jsOff}:`;
    this.#i += flags[0].length;
  }

  /** Translates the escape at the cursor, inside a class or not. */
  #escape(inClass: boolean): string {
    const c = this.#peek(1);
    if (c === "") throw new Re2SyntaxError("trailing backslash");
    this.#i += 2;
    switch (c) {
      case "d":
      case "D":
      case "w":
      case "W":
        return "\\" + c;
      case "s":
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case "S":
        return inClass ? RE2_NOT_SPACE : `[^${RE2_SPACE}]`;
      case "b":
      case "B":
        if (inClass) throw new Re2SyntaxError(`invalid escape "\\${c}" in a character class`);
        return "\\" + c;
      case "A":
        if (inClass) throw new Re2SyntaxError('invalid escape "\\A" in a character class');
        return "(?<![\\s\\S])";
      case "z":
        if (inClass) throw new Re2SyntaxError('invalid escape "\\z" in a character class');
        return "(?![\\s\\S])";
      case "a":
        return "\\x07";
      case "f":
      case "n":
      case "r":
      case "t":
      case "v":
        return "\\" + c;
      case "Q": {
        const end = this.#src.indexOf("\\E", this.#i);
        const literal = this.#src.slice(this.#i, end < 0 ? undefined : end);
        this.#i = end < 0 ? this.#src.length : end + 2;
        let out = "";
        for (const ch of literal) out += escapeCodePoint(ch.codePointAt(0)!);
        return out;
      }
      case "x": {
        const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.#rest());
        if (braced) {
          this.#i += braced[0].length;
          const cp = parseInt(braced[1]!, 16);
          if (cp > 0x10ffff) throw new Re2SyntaxError(`invalid escape "\\x${braced[0]}"`);
          return escapeCodePoint(cp);
        }
        const two = /^[0-9A-Fa-f]{2}/.exec(this.#rest());
        if (!two) throw new Re2SyntaxError('invalid escape "\\x"');
        this.#i += 2;
        return escapeCodePoint(parseInt(two[0], 16));
      }
      case "p":
      case "P": {
        const braced = /^\{([^}]*)\}/.exec(this.#rest());
        let name: string;
        if (braced) {
          name = braced[1]!;
          this.#i += braced[0].length;
        } else {
          name = this.#peek();
          if (!/^[A-Za-z]$/.test(name)) throw new Re2SyntaxError(`invalid escape "\\${c}"`);
          this.#i++;
        }
        const cls = unicodeClass(name, c === "P");
        // Inside a class only the \p{…} form can be spliced in; "Any" has no such form.
        if (inClass && cls.startsWith("[")) {
          throw new Re2SyntaxError(`Unicode class "${name}" is not supported inside a class`);
        }
        return cls;
      }
      case "C":
        throw new Re2SyntaxError('"\\C" (any byte) is not supported');
      case "Z":
        throw new Re2SyntaxError('"\\Z" is not supported by RE2; use "\\z" or "$"');
      default:
        break;
    }
    if (c >= "0" && c <= "7") {
      // Go's parser: `\0` starts an octal escape; `\1`-`\7` only when another digit follows.
      const m = /^[0-7]{0,2}/.exec(this.#rest())![0];
      if (c !== "0" && m.length === 0) {
        throw new Re2SyntaxError(`backreferences such as "\\${c}" are not supported by RE2`);
      }
      this.#i += m.length;
      return escapeCodePoint(parseInt(c + m, 8));
    }
    if (c === "8" || c === "9") {
      throw new Re2SyntaxError(`backreferences such as "\\${c}" are not supported by RE2`);
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && /[!-/:-@[-`{-~]/.test(c)) return escapeCodePoint(cp);
    throw new Re2SyntaxError(`invalid escape "\\${c}"`);
  }

  #charClass(): string {
    this.#i++;
    let out = "[";
    if (this.#peek() === "^") {
      out += "^";
      this.#i++;
    }
    // A `]` right after the opening bracket is a literal in RE2 (JS would read `[]` as empty).
    if (this.#peek() === "]") {
      out += "\\]";
      this.#i++;
    }
    for (;;) {
      const c = this.#peek();
      if (c === "") throw new Re2SyntaxError("missing closing ]");
      if (c === "]") {
        this.#i++;
        return out + "]";
      }
      if (c === "\\") {
        out += this.#escape(true);
        continue;
      }
      if (c === "[") {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.#rest());
        if (posix) {
          const set = POSIX_CLASSES[posix[2]!];
          if (set === undefined) throw new Re2SyntaxError(`invalid POSIX class "${posix[0]}"`);
          if (posix[1] === "^") {
            throw new Re2SyntaxError(`negated POSIX class "${posix[0]}" is not supported`);
          }
          out += set;
          this.#i += posix[0].length;
          continue;
        }
        out += "\\[";
        this.#i++;
        continue;
      }
      const cp = this.#src.codePointAt(this.#i)!;
      out += String.fromCodePoint(cp);
      this.#i += cp > 0xffff ? 2 : 1;
    }
  }
}

/** Translates an RE2 pattern to a JS source and flags, or throws a `Re2SyntaxError`. */
export function translateRe2(pattern: string): Translated {
  return new Translator(pattern).run();
}

/** Compiles an RE2 pattern as a JS RegExp, throwing `Re2SyntaxError` with the reason. */
export function compileRe2(pattern: string): RegExp {
  const { source, flags } = translateRe2(pattern);
  try {
    return new RegExp(source, flags);
  } catch (e) {
    // What JS still rejects after translation (e.g. "a**", "x{2,1}") RE2 rejects as well.
    throw new Re2SyntaxError((e as Error).message.replace(/^Invalid regular expression: /, ""));
  }
}

/** Number of capture groups in a compiled pattern. */
export function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags).exec("")!.length - 1;
}
