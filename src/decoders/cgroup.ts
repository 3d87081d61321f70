/**
 * `cgroup`: decimal cgroup id (from `uint`) → the cgroup's full path under the cgroup v2 mount
 * (`ctx.cgroupRoot`, default /sys/fs/cgroup); unresolved → `unknown_cgroup_id:<id>`, which is
 * transient (the cgroup may appear on a later walk). See cgroups.ts for the walk.
 */

import type { DecoderFactory } from "./types.ts";
import { configError } from "./config_error.ts";
import { cgroupPathsFor } from "./cgroups.ts";
import { parseDecimal } from "./numeric.ts";
import { utf8 } from "./text.ts";

/** Builds the `cgroup` decoder (no config keys; needs `ctx.readDirInodes`). */
export const cgroupDecoder: DecoderFactory = (conf, ctx) => {
  const paths = cgroupPathsFor(ctx);
  if (paths === null) throw configError(conf, "this host context cannot list directories");
  return {
    decode(input, state) {
      const id = parseDecimal(input, "cgroup");
      const path = paths.lookup(id);
      if (path !== null) return utf8(path);
      if (state) state.transient = true;
      return utf8(`unknown_cgroup_id:${id}`);
    },
  };
};
