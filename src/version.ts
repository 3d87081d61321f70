/** Build metadata; the build step rewrites BUILD_INFO, a source checkout reports "dev". */

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildDate: string;
  /** How the running copy was packaged ("memfd launcher" in the single binary). */
  packaging?: string;
  /** Source versions of the embedded libbpf bundle (build/libbpf/VERSION). */
  libbpfSource?: string;
}

/** Replaced by `make build` in the bundled copy (pack/build.sh generates the stamped module). */
export const BUILD_INFO: BuildInfo = {
  version: "0.1.0-dev",
  revision: "unknown",
  branch: "unknown",
  buildDate: "unknown",
};
