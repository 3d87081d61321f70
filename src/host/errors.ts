/** Errors of reading the host. */

/** A file or directory the exporter needs from the host cannot be read. */
export class HostReadError extends Error {
  override name = "HostReadError";
  /** What could not be read. */
  readonly path: string;

  /** An error naming `path`. */
  constructor(path: string) {
    super(`Cannot read "${path}"`);
    this.path = path;
  }
}
