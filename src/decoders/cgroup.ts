/**
 * `cgroup`: decimal cgroup id (from `uint`) → the cgroup's full path under the cgroup v2 mount
 * (the host's cgroup root); unresolved → `unknown_cgroup_id:<id>`, which is transient (the cgroup
 * may appear on a later walk). See src/host/cgroups.ts for the walk.
 */

import type { DecoderFactory } from "./types.ts";
import { configError } from "./config_error.ts";
import { parseDecimal } from "./numeric.ts";
import { utf8 } from "./text.ts";

/** Builds the `cgroup` decoder (no config keys; needs a host that can list directories). */
export const cgroupDecoder: DecoderFactory = (conf, host) => {
  if (!host.canListDirs) throw configError(conf, "this host cannot list directories");
  return {
    decode(input, state) {
      const id = parseDecimal(input, "cgroup");
      const path = host.cgroupPath(id);
      if (path !== null) return utf8(path);
      if (state) state.transient = true;
      return utf8(`unknown_cgroup_id:${id}`);
    },
  };
};
