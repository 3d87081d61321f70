/**
 * The bounded read of one config file from a directory: the path must resolve (symlinks
 * followed) to a regular file inside the directory and be no larger than a cap, so a config
 * name can never make the exporter read /dev/zero, block on a FIFO or leak a file elsewhere.
 */

/** Default cap on a config file's size (`--config.max-size` raises it). */
export const DEFAULT_MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** A file that exists but must not be read as a config; the message says why. */
export class ConfigFileRefused extends Error {
  override name = "ConfigFileRefused";
}

/** Reads `path`, which must resolve to a regular file inside `dir` of at most `maxBytes`. */
export function readBoundedTextFile(dir: string, path: string, maxBytes: number): string {
  const real = Deno.realPathSync(path);
  const realDir = Deno.realPathSync(dir === "" ? "." : dir);
  if (!real.startsWith(realDir === "/" ? "/" : `${realDir}/`)) {
    throw new ConfigFileRefused(
      `it resolves to ${JSON.stringify(real)}, outside the config directory ` +
        JSON.stringify(realDir),
    );
  }
  const info = Deno.statSync(real);
  if (!info.isFile) throw new ConfigFileRefused(`it is ${fileKind(info)}, not a regular file`);
  if (info.size > maxBytes) throw tooLarge(maxBytes);
  return new TextDecoder().decode(readAtMost(real, info.size, maxBytes));
}

/** The refusal for a file above the cap. */
export function tooLarge(maxBytes: number): ConfigFileRefused {
  return new ConfigFileRefused(
    `it is larger than ${maxBytes} bytes (raise the limit with --config.max-size)`,
  );
}

// The file may grow between stat and read, so the read itself stops past the cap too.
function readAtMost(path: string, size: number, maxBytes: number): Uint8Array {
  using file = Deno.openSync(path);
  let buf = new Uint8Array(size + 1);
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      if (len > maxBytes) break;
      const bigger = new Uint8Array(Math.min(buf.length * 2, maxBytes + 1));
      bigger.set(buf);
      buf = bigger;
    }
    const n = file.readSync(buf.subarray(len));
    if (n === null) break;
    len += n;
  }
  if (len > maxBytes) throw tooLarge(maxBytes);
  return buf.subarray(0, len);
}

function fileKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "a special file";
}
