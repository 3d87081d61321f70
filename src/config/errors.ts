/** The one error type of config loading, carrying where in which file the problem is. */

/**
 * Where a config problem is: `line` 0 means the file as a whole (or, with `file` "", the list of
 * config names), `key` "" the document itself.
 */
export interface ErrorPlace {
  file: string;
  line: number;
  key: string;
  col?: number;
}

/** A config that cannot be used; the message starts with `file:line:` when a line is known. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly col: number | undefined;

  constructor(place: ErrorPlace, detail: string) {
    super(formatMessage(place, detail));
    this.file = place.file;
    this.line = place.line;
    this.key = place.key;
    this.col = place.col;
  }
}

function formatMessage(place: ErrorPlace, detail: string): string {
  if (place.line === 0) return detail;
  const where = `${place.file}:${place.line}${place.col !== undefined ? `:${place.col}` : ""}`;
  return place.key === "" ? `${where}: ${detail}` : `${where}: ${place.key}: ${detail}`;
}
