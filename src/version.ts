/** Build metadata; the build step rewrites BUILD_INFO, a source checkout reports "dev". */

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildDate: string;
}

/** Replaced by `make build` in the bundled copy. */
export const BUILD_INFO: BuildInfo = {
  version: "0.1.0-dev",
  revision: "unknown",
  branch: "unknown",
  buildDate: "unknown",
};
