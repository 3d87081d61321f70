/** An in-memory `ConfigFs` for config tests; missing paths throw `Deno.errors.NotFound`. */

import type { ConfigFs } from "../../src/config/load.ts";

/** A reader over `files` (path → text). */
export function memFs(files: Record<string, string>): ConfigFs {
  return {
    readTextFile(path) {
      const text = files[path];
      if (text === undefined) throw new Deno.errors.NotFound(`No such file: ${path}`);
      return text;
    },
  };
}
