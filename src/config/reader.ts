/**
 * Reads YAML document nodes (not plain JS values) so that every value keeps its line and dotted
 * key path, and every type problem can be reported as `file:line: key: detail`.
 */

import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Scalar,
  visit,
  type YAMLMap,
} from "yaml";
import type { SourcePos } from "./types.ts";
import { ConfigError } from "./errors.ts";
import { plainBoolean, plainNumber } from "./scalars.ts";

/** A value at a key path; `node` is null when the key is absent or its value is YAML null. */
export interface Field {
  path: string;
  node: Node | null;
  /** Node whose line locates the field: the value, else the key, else the enclosing map. */
  at: Node;
}

/** One key of a mapping, after aliases and `<<` merge keys are resolved. */
export interface Entry {
  /** The key as written (plain scalars keep their source text: `0x10`, not 16). */
  key: string;
  keyNode: Node;
  value: Field;
}

/** The entries of a mapping by key, for typed lookups. */
export class Fields {
  readonly #byKey: Map<string, Entry>;

  constructor(readonly map: Field, entries: Entry[]) {
    this.#byKey = new Map(entries.map((e) => [e.key, e]));
  }

  /** The field for `key`; absent keys give a null node located at the enclosing map. */
  get(key: string): Field {
    return this.#byKey.get(key)?.value ??
      { path: childPath(this.map.path, key), node: null, at: this.map.at };
  }

  /** Whether `key` is written with a non-null value. */
  has(key: string): boolean {
    return this.get(key).node !== null;
  }
}

/** `parent.key`, or `key` at the top level. */
export function childPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

/**
 * Aliases and `<<` merge keys are resolved on every read, so nested aliases can expand
 * exponentially (a few hundred bytes of YAML would take minutes); both are capped per file.
 */
export const MAX_ALIAS_EXPANSIONS = 10_000;
/** How deep `<<` merge keys may nest (a merge source that itself merges counts one level). */
export const MAX_MERGE_DEPTH = 16;

/** Turns nodes into typed values, throwing a `ConfigError` for anything out of shape. */
export class NodeReader {
  #aliasExpansions = 0;
  #aliasTargets: Map<Alias, Node> | null = null;

  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  /** 1-based line where `node` starts. */
  line(node: Node): number {
    return node.range ? this.lines.linePos(node.range[0]).line : 1;
  }

  /** Where a field is, for the typed config. */
  pos(field: Field): SourcePos {
    return { file: this.file, line: this.line(field.node ?? field.at), key: field.path };
  }

  /** An error located at `field`. */
  error(field: Field, detail: string): ConfigError {
    return new ConfigError(
      { file: this.file, line: this.line(field.node ?? field.at), key: field.path },
      detail,
    );
  }

  /** The field for a document node, aliases resolved and YAML null turned into `node: null`. */
  field(path: string, node: unknown, at: Node): Field {
    let n = node as Node | null | undefined;
    if (isAlias(n)) {
      this.#countAlias({ path, node: n, at });
      const target = this.#resolve(n);
      if (target === undefined) {
        throw this.error({ path, node: n, at }, `unknown alias "*${n.source}"`);
      }
      n = target;
    }
    if (n === undefined || n === null || (isScalar(n) && n.value === null)) {
      return { path, node: null, at: n ?? at };
    }
    return { path, node: n, at: n };
  }

  // yaml's Alias.resolve walks the whole document on every call, which made a 250 KB file of
  // aliases take minutes; one walk here maps every alias to the anchor before it.
  #resolve(alias: Alias): Node | undefined {
    if (this.#aliasTargets === null) {
      const targets = new Map<Alias, Node>();
      const anchors = new Map<string, Node>();
      visit(this.doc, {
        Node: (_key, node) => {
          if (isAlias(node)) {
            const target = anchors.get(node.source);
            if (target !== undefined) targets.set(node, target);
          } else if (node.anchor) anchors.set(node.anchor, node);
        },
      });
      this.#aliasTargets = targets;
    }
    return this.#aliasTargets.get(alias);
  }

  #countAlias(field: Field): void {
    if (++this.#aliasExpansions <= MAX_ALIAS_EXPANSIONS) return;
    throw this.error(
      field,
      `aliases expand more than ${MAX_ALIAS_EXPANSIONS} times; nested aliases and << merge ` +
        `keys must not multiply`,
    );
  }

  /** Entries of a mapping with merge keys applied; duplicate keys are errors. */
  entries(field: Field): Entry[] {
    return this.#entries(field, new Set());
  }

  #entries(field: Field, seen: Set<Node>): Entry[] {
    const map = this.#mapNode(field);
    if (seen.has(map)) throw this.error(field, "merge key refers to its own mapping");
    if (seen.size > MAX_MERGE_DEPTH) {
      throw this.error(field, `<< merge keys nest deeper than ${MAX_MERGE_DEPTH} levels`);
    }
    seen.add(map);
    const own: Entry[] = [];
    const merged: Entry[] = [];
    const keys = new Map<string, Node>();
    for (const pair of map.items) {
      const keyNode = (pair.key ?? map) as Node;
      const keyField = this.field(field.path, pair.key, map);
      const key = this.#keyText(keyField);
      if (key === "<<" && isScalar(keyNode) && keyNode.type === "PLAIN") {
        const from = this.field(childPath(field.path, "<<"), pair.value, keyNode);
        const sources = from.node !== null && isSeq(from.node)
          ? from.node.items.map((item, i) => this.field(`${from.path}[${i}]`, item, keyNode))
          : [from];
        for (const source of sources) merged.push(...this.#entries(source, seen));
        continue;
      }
      const path = childPath(field.path, key);
      const earlier = keys.get(key);
      if (earlier !== undefined) {
        const at = this.lines.linePos(keyNode.range?.[0] ?? 0);
        throw new ConfigError(
          { file: this.file, line: at.line, col: at.col, key: path },
          `duplicate key ${JSON.stringify(key)}, first given at line ${this.line(earlier)}`,
        );
      }
      keys.set(key, keyNode);
      own.push({ key, keyNode, value: this.field(path, pair.value, keyNode) });
    }
    seen.delete(map);
    // Explicit keys win over merged ones; among merged sources the first one wins.
    for (const e of merged) {
      if (keys.has(e.key)) continue;
      keys.set(e.key, e.keyNode);
      own.push({ ...e, value: { ...e.value, path: childPath(field.path, e.key) } });
    }
    return own;
  }

  /** A mapping with only the `allowed` keys. */
  fields(field: Field, allowed: readonly string[]): Fields {
    const entries = this.entries(field);
    for (const e of entries) {
      if (!allowed.includes(e.key)) {
        // The path ends in the key, so a key that is not quoted is left out of it too.
        const path = isKeyLike(e.key) ? e.value.path : field.path;
        throw this.error(
          { ...e.value, path, node: e.keyNode },
          `unknown key ${quoteKey(e.key)}, allowed keys are ${allowed.join(", ")}`,
        );
      }
    }
    return new Fields(field, entries);
  }

  /** Items of a list; undefined when absent. */
  list(field: Field): Field[] | undefined {
    if (field.node === null) return undefined;
    if (!isSeq(field.node)) throw this.error(field, `must be a list, got ${describe(field.node)}`);
    const seq = field.node;
    return seq.items.map((item, i) => this.field(`${field.path}[${i}]`, item, seq));
  }

  /** A string; any scalar is accepted as the text it is written as, as upstream does. */
  string(field: Field): string | undefined {
    if (field.node === null) return undefined;
    const s = this.#scalar(field, "a string");
    return s.type === "PLAIN" ? s.source ?? String(s.value) : String(s.value);
  }

  /** A number written as a plain scalar (integer or float); undefined when absent. */
  number(field: Field, what = "a number"): number | undefined {
    if (field.node === null) return undefined;
    const s = this.#scalar(field, what);
    const n = s.type === "PLAIN" ? plainNumber(s.source ?? "") : null;
    if (n === null) throw this.error(field, `must be ${what}, got ${describe(s)}`);
    return n;
  }

  /** An integer; undefined when absent. */
  integer(field: Field): number | undefined {
    const n = this.number(field, "an integer");
    if (n !== undefined && !Number.isSafeInteger(n)) {
      throw this.error(field, `must be an integer, got ${describe(field.node!)}`);
    }
    return n;
  }

  /** A boolean written as a plain scalar (`true`, `false`, `yes`, `no`, …); undefined if absent. */
  boolean(field: Field): boolean | undefined {
    if (field.node === null) return undefined;
    const s = this.#scalar(field, "a boolean");
    const b = s.type === "PLAIN" ? plainBoolean(s.source ?? "") : null;
    if (b === null) throw this.error(field, `must be true or false, got ${describe(s)}`);
    return b;
  }

  #scalar(field: Field, what: string): Scalar {
    const node = field.node!;
    if (!isScalar(node)) throw this.error(field, `must be ${what}, got ${describe(node)}`);
    return node;
  }

  #mapNode(field: Field): YAMLMap {
    if (field.node === null || !isMap(field.node)) {
      const got = field.node === null ? "nothing" : describe(field.node);
      throw this.error(field, `must be a mapping, got ${got}`);
    }
    return field.node;
  }

  #keyText(key: Field): string {
    if (key.node === null) return "";
    if (!isScalar(key.node)) {
      throw this.error(key, `keys must be scalars, got ${describe(key.node)}`);
    }
    return key.node.type === "PLAIN"
      ? key.node.source ?? String(key.node.value)
      : String(key.node.value);
  }
}

// A file that is not a config (a password file, say) parses as odd keys: only name-like keys
// are quoted back, so an error never repeats the content of a file read by mistake.
const KEY_LIKE = /^[A-Za-z0-9_<-]{1,64}$/;

function isKeyLike(key: string): boolean {
  return KEY_LIKE.test(key);
}

/** A key for an error message: quoted when it looks like a key, else only its length. */
export function quoteKey(key: string): string {
  return isKeyLike(key) ? JSON.stringify(key) : `(not a key name, ${key.length} characters)`;
}

// Control characters are exactly what this pattern is for: they must never reach a message.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** How a node reads in "got …" messages. */
export function describe(node: Node): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    if (node.value === null) return "nothing";
    // Control characters (a binary file read as YAML) are escaped, not written to the log.
    if (node.type === "PLAIN" && !CONTROL.test(node.source ?? "")) {
      return node.source ?? String(node.value);
    }
    return JSON.stringify(String(node.value));
  }
  return "an alias";
}
