/**
 * The JSON Schema (draft-07) of a config file, generated from the key table (keys.ts) that the
 * parser checks keys against; `--config.schema` prints it and schema/config.schema.json holds it.
 */

import {
  CONFIG_SECTIONS,
  DURATION_PATTERN,
  type KeySpec,
  type KeyType,
  type SchemaFragment,
  type SectionId,
} from "./keys.ts";

// The parser reads a string key as the text of any scalar (`name: 404` is "404"), as upstream.
const TEXT: SchemaFragment = { type: ["string", "number", "boolean"] };

/** The schema of a config file. */
export function configSchema(): SchemaFragment {
  const definitions: Record<string, SchemaFragment> = {};
  for (const id of Object.keys(CONFIG_SECTIONS) as SectionId[]) {
    if (id !== "config") definitions[id] = sectionSchema(id);
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "ebpf_exporter config (NAME.yaml)",
    ...sectionSchema("config"),
    definitions,
  };
}

/** The schema as committed: two-space JSON with a final newline. */
export function configSchemaText(): string {
  return JSON.stringify(configSchema(), null, 2) + "\n";
}

function sectionSchema(id: SectionId): SchemaFragment {
  const section = CONFIG_SECTIONS[id];
  const properties: Record<string, SchemaFragment> = {};
  const required: string[] = [];
  for (const [key, spec] of Object.entries(section.keys)) {
    properties[key] = keySchema(spec);
    if (spec.required) required.push(key);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...(id === "metrics" || id === "tracing" ? { minProperties: 1 } : {}),
    ...(section.rules ? { allOf: section.rules } : {}),
  };
}

function keySchema(spec: KeySpec): SchemaFragment {
  // `items` constraints are merged into the type's item schema by typeSchema.
  const { items: _items, ...extra } = spec.schema ?? {};
  return { description: spec.summary, ...typeSchema(spec), ...extra };
}

function typeSchema(spec: KeySpec): SchemaFragment {
  const ref = spec.section ? { $ref: `#/definitions/${spec.section}` } : undefined;
  const types: Record<KeyType, () => SchemaFragment> = {
    mapping: () => ref ?? { type: "object" },
    list: () => ({
      type: "array",
      items: ref && spec.itemSchema ? { allOf: [ref, spec.itemSchema] } : ref ?? {},
    }),
    string: () => TEXT,
    integer: () => ({ type: "integer" }),
    number: () => ({ type: "number" }),
    boolean: () => ({ type: "boolean" }),
    duration: () => ({
      oneOf: [{ type: "string", pattern: DURATION_PATTERN }, { type: "integer", minimum: 0 }],
    }),
    "list of strings": () => ({ type: "array", items: { type: "string" } }),
    "list of integers": () => ({ type: "array", items: { type: "integer" } }),
    "mapping of strings": () => ({ type: "object", additionalProperties: TEXT }),
  };
  const base = types[spec.type]();
  // A key's own item constraints (a pattern, a minimum) join the type's item schema.
  const items = spec.schema?.items;
  if (items !== undefined && typeof base.items === "object") {
    return { ...base, items: { ...base.items, ...(items as SchemaFragment) } };
  }
  return base;
}
