/** Build metadata; the build step rewrites BUILD_INFO, a source checkout reports "dev". */

import type { BuildInfo } from "./build_info.ts";

export type { BuildInfo } from "./build_info.ts";

/** Replaced by `make build` in the bundled copy (pack/build.sh generates the stamped module). */
export const BUILD_INFO: BuildInfo = {
  version: "0.1.0-dev",
  revision: "unknown",
  branch: "unknown",
  buildDate: "unknown",
};
