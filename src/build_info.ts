/** The shape of the build metadata; pack/build.sh's stamped copy of version.ts imports it too. */

/** What --version reports about the build. */
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
