/** Label and decoder entries (`labels: [...]`, `decoders: [...]`) of metrics and spans. */

import type { DecoderConfig, LabelConfig } from "./types.ts";
import { DECODER_NAMES, type DecoderName } from "./decoder_names.ts";
import { chainProblem, firstSizeProblem } from "./decoder_chain.ts";
import { compileRe2 } from "../re2.ts";
import type { Field, NodeReader } from "./reader.ts";
import { labelNameProblem } from "./names.ts";
import { keysOf } from "./keys.ts";

/** Which names a label list may use: metric labels become Prometheus label names. */
export type LabelOwner = "counter" | "histogram" | "span";

/** Parses a `labels` list; each label needs a unique name, a positive size and decoders. */
export function readLabels(r: NodeReader, field: Field, owner: LabelOwner): LabelConfig[] {
  const items = r.list(field) ?? [];
  const seen = new Map<string, LabelConfig>();
  return items.map((item, i) => {
    const { label, nameField } = readLabel(r, item);
    const first = seen.get(label.name);
    if (first !== undefined) {
      throw r.error(
        nameField,
        `duplicate label name ${JSON.stringify(label.name)}, first used at line ${first.pos.line}`,
      );
    }
    seen.set(label.name, label);
    if (owner !== "span") {
      // A histogram's last label holds the bucket and is never exported as a label.
      const problem = labelNameProblem(label.name, owner === "histogram" && i < items.length - 1);
      if (problem !== null) throw r.error(nameField, problem);
    }
    return label;
  });
}

function readLabel(r: NodeReader, item: Field): { label: LabelConfig; nameField: Field } {
  const f = r.fields(item, keysOf("label"));
  const nameField = f.get("name");
  const name = r.string(nameField) ?? "";
  if (name === "") throw r.error(nameField, "label lacks name");
  const sizeField = f.get("size");
  const size = r.integer(sizeField);
  if (size === undefined) throw r.error(sizeField, `label ${JSON.stringify(name)} lacks size`);
  if (size <= 0) throw r.error(sizeField, `must be a positive integer, got ${size}`);
  const paddingField = f.get("padding");
  const padding = r.integer(paddingField) ?? 0;
  if (padding < 0) throw r.error(paddingField, `must not be negative, got ${padding}`);
  const decodersField = f.get("decoders");
  const items = r.list(decodersField) ?? [];
  const decoders = items.map((d) => readDecoder(r, d));
  if (decoders.length === 0) {
    throw r.error(decodersField, `label ${JSON.stringify(name)} lacks decoders`);
  }
  const sizeProblem = firstSizeProblem(decoders[0]!.name as DecoderName, size);
  if (sizeProblem !== null) throw r.error(sizeField, sizeProblem);
  decoders.forEach((d, i) => {
    const previous = i === 0 ? null : decoders[i - 1]!.name as DecoderName;
    const problem = chainProblem({ name: d.name as DecoderName, previous });
    if (problem !== null) throw r.error(items[i]!, problem);
  });
  return { label: { name, size, padding, decoders, pos: r.pos(item) }, nameField };
}

function readDecoder(r: NodeReader, item: Field): DecoderConfig {
  const f = r.fields(item, keysOf("decoder"));
  const nameField = f.get("name");
  const name = r.string(nameField) ?? "";
  if (name === "") throw r.error(nameField, "decoder lacks name");
  if (!(DECODER_NAMES as readonly string[]).includes(name)) {
    throw r.error(
      nameField,
      `unknown decoder ${JSON.stringify(name)}, known decoders are ${DECODER_NAMES.join(", ")}`,
    );
  }
  const conf: DecoderConfig = {
    name,
    allow_unknown: r.boolean(f.get("allow_unknown")) ?? false,
    pos: r.pos(item),
  };
  onlyFor(r, f.get("static_map"), name, "static_map");
  onlyFor(r, f.get("allow_unknown"), name, "static_map");
  onlyFor(r, f.get("regexps"), name, "regexp");
  if (name === "static_map") {
    const mapField = f.get("static_map");
    if (mapField.node === null) throw r.error(mapField, `decoder "static_map" lacks static_map`);
    conf.static_map = readStaticMap(r, mapField);
  }
  if (name === "regexp") {
    const regexps = readRegexps(r, f.get("regexps"));
    if (regexps.length === 0) throw r.error(f.get("regexps"), `decoder "regexp" lacks regexps`);
    conf.regexps = regexps;
  }
  return conf;
}

/** Rejects a decoder key that only one decoder reads (a sign the config means something else). */
function onlyFor(r: NodeReader, field: Field, decoder: string, user: string): void {
  if (field.node !== null && decoder !== user) {
    const key = field.path.slice(field.path.lastIndexOf(".") + 1);
    throw r.error(field, `only decoder "${user}" uses ${key}, this is decoder "${decoder}"`);
  }
}

/** Keys keep their literal text (`1:` is "1", `0x10:` is "0x10"); values are strings. */
function readStaticMap(r: NodeReader, field: Field): Record<string, string> {
  const pairs: Array<[string, string]> = [];
  for (const e of r.entries(field)) pairs.push([e.key, r.string(e.value) ?? ""]);
  // fromEntries defines own properties, so a key like "__proto__" stays an ordinary key.
  return Object.fromEntries(pairs);
}

/** A list of RE2 patterns, each checked to compile. */
export function readRegexps(r: NodeReader, field: Field): string[] {
  return (r.list(field) ?? []).map((item) => {
    const pattern = r.string(item);
    if (pattern === undefined) throw r.error(item, "must be a regular expression, got nothing");
    try {
      compileRe2(pattern);
    } catch (e) {
      throw r.error(
        item,
        `invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
      );
    }
    return pattern;
  });
}
