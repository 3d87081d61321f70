/** ebpf_exporter: the lifecycle lives in src/app/run.ts; this file is the entry point. */

import { main } from "./src/app/run.ts";

// Resolved here so a source checkout finds the examples next to this file.
const DEFAULT_CONFIG_DIR = new URL("./examples", import.meta.url).pathname;

if (import.meta.main) Deno.exit(await main(Deno.args, DEFAULT_CONFIG_DIR));
