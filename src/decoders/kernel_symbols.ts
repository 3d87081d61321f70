/** The host's kernel symbols for the `ksym` and `kstack` decoders. */

import type { DecoderConfig } from "../config/types.ts";
import type { Host } from "../host/host.ts";
import { type Kallsyms, KALLSYMS_PATH } from "../host/kallsyms.ts";
import { configError } from "./config_error.ts";

/** The host's kallsyms, read now; an unreadable file makes `conf` unusable. */
export function kallsymsFor(conf: DecoderConfig, host: Host): Kallsyms {
  try {
    return host.kallsyms();
  } catch {
    throw configError(conf, `cannot read "${KALLSYMS_PATH}"`);
  }
}
