/** Uniform load-time errors for decoder configs, naming the decoder and where it was configured. */

import type { DecoderConfig, SourcePos } from "../config/types.ts";
import { DecoderConfigError } from "./types.ts";

/** Where a config value came from, as `file:line (key)`. */
export function describePos(pos: SourcePos): string {
  return `${pos.file}:${pos.line} (${pos.key})`;
}

/** A `DecoderConfigError` for `conf` with the given detail. */
export function configError(conf: DecoderConfig, detail: string): DecoderConfigError {
  return new DecoderConfigError(
    `Cannot use decoder "${conf.name}" at ${describePos(conf.pos)}: ${detail}`,
  );
}
