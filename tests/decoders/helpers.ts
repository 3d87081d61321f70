/** Fake hosts, config builders and byte helpers shared by the decoder tests. */

import type { DecoderConfig, LabelConfig } from "../../src/config/types.ts";
import type { Decoder, DecodeState } from "../../src/decoders/types.ts";
import { Host, type HostSource } from "../../src/host/host.ts";
import { createDecoder } from "../../src/decoders/registry.ts";
import { LabelSetDecoder } from "../../src/decoders/labels.ts";
import { rowKeyLayout } from "../../src/spec/key_layout.ts";

const FIXTURES = new URL("../fixtures/decoders/", import.meta.url);

/** Text of a fixture under tests/fixtures/decoders/. */
export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** A scriptable host's contents: files, directories, interfaces and a manual clock. */
export interface FakeHost {
  files: Map<string, string>;
  dirs: Map<string, Array<[string, bigint]>>;
  interfaces: Array<[number, string]> | null;
  time: number;
  /** Read count per path (files and directories). */
  reads: Map<string, number>;
}

/** A Host over fake contents (`host`); every call gives a fresh Host with its own tables. */
export function fakeContext(init: {
  files?: Record<string, string>;
  dirs?: Record<string, Array<[string, bigint]>>;
  interfaces?: Array<[number, string]>;
  cgroupRoot?: string;
  withoutDirs?: boolean;
} = {}): { ctx: Host; host: FakeHost } {
  const host: FakeHost = {
    files: new Map(Object.entries(init.files ?? {})),
    dirs: new Map(Object.entries(init.dirs ?? {})),
    interfaces: init.interfaces ?? null,
    time: 1_000_000,
    reads: new Map(),
  };
  const count = (path: string) => host.reads.set(path, (host.reads.get(path) ?? 0) + 1);
  const source: HostSource = {
    readFile(path) {
      count(path);
      const text = host.files.get(path);
      return text === undefined ? null : new TextEncoder().encode(text);
    },
    now: () => host.time,
  };
  if (!init.withoutDirs) {
    source.listDirs = (path) => {
      count(path);
      return host.dirs.get(path) ?? null;
    };
  }
  if (host.interfaces !== null) source.interfaces = () => host.interfaces ?? [];
  if (init.cgroupRoot !== undefined) source.cgroupRoot = init.cgroupRoot;
  return { ctx: new Host(source), host };
}

/** A decoder config as the config loader would produce it. */
export function conf(
  name: string,
  extra: { static_map?: Record<string, string>; regexps?: string[]; allow_unknown?: boolean } = {},
): DecoderConfig {
  const c: DecoderConfig = {
    name,
    allow_unknown: extra.allow_unknown ?? false,
    pos: { file: "test.yaml", line: 7, key: "metrics.counters[0].labels[0].decoders[0]" },
  };
  if (extra.static_map !== undefined) c.static_map = extra.static_map;
  if (extra.regexps !== undefined) c.regexps = extra.regexps;
  return c;
}

/** A label config. */
export function label(
  name: string,
  size: number,
  decoders: DecoderConfig[],
  padding = 0,
): LabelConfig {
  return {
    name,
    size,
    padding,
    decoders,
    pos: { file: "test.yaml", line: 5, key: "metrics.counters[0].labels[0]" },
  };
}

/** Builds a decoder through the registry, with a fresh fake host unless one is given. */
export function build(c: DecoderConfig, ctx: Host = fakeContext().ctx): Decoder {
  return createDecoder(c, ctx);
}

/** A label set decoder laid out the way the exporter lays out metric keys. */
export function labelSet(labels: LabelConfig[], ctx: Host): LabelSetDecoder {
  return new LabelSetDecoder(labels, ctx, rowKeyLayout(labels));
}

/** Decodes and returns the output as text (`null` for a skip) and whether it was transient. */
export function run(d: Decoder, input: Uint8Array | string): {
  out: string | null;
  transient: boolean;
} {
  const state: DecodeState = { transient: false };
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const out = d.decode(bytes, state);
  return { out: out === null ? null : new TextDecoder().decode(out), transient: state.transient };
}

/** Shorthand: decoded text only. */
export function decodeText(d: Decoder, input: Uint8Array | string): string | null {
  return run(d, input).out;
}

/** Bytes from numbers. */
export function b(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** Little-endian u64 words. */
export function u64s(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(i * 8, v, true));
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
