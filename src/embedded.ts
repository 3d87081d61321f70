/**
 * Locates the files the single binary carries (examples, libbpf, the thread capability helper)
 * and says where configs come from. pack/launcher.c puts each embedded file in a memfd and names
 * them in EBPF_EXPORTER_EMBEDDED_FILES as `name=/proc/self/fd/N,...`; those paths are read
 * through libc because Deno's fs API refuses /proc.
 */

import { readFileViaLibc } from "../ffi/libc.ts";
import type { ConfigFs } from "./config/load.ts";
import { readBoundedTextFile, tooLarge } from "./config/file_read.ts";

/** The config directory reported for the embedded examples (it exists only inside the binary). */
export const EMBEDDED_CONFIG_DIR = "embedded:examples";

/** Variables the launcher sets; the launcher's --allow-env list names them too. */
export const EMBEDDED_ENV = {
  files: "EBPF_EXPORTER_EMBEDDED_FILES",
  packaging: "EBPF_EXPORTER_PACKAGING",
} as const;

/** The embedded files of this process, when it runs from the single binary. */
export interface EmbeddedAssets {
  /** How the binary was packed, e.g. "launcher". */
  packaging: string;
  /** File name (`timers.yaml`) → a path libc can open (`/proc/self/fd/7`). */
  files: ReadonlyMap<string, string>;
}

/** Where configs and their objects are read from for one run. */
export interface ConfigSource {
  dir: string;
  fs: ConfigFs;
  /** For the object loader: the object's bytes, or null to let libbpf open the path itself. */
  readObject: (path: string) => Uint8Array | null;
  embedded: boolean;
}

/** Parses the launcher's `name=path,name=path` manifest; malformed entries are errors. */
export function parseManifest(raw: string): Map<string, string> {
  const files = new Map<string, string>();
  if (raw === "") return files;
  for (const entry of raw.split(",")) {
    const eq = entry.indexOf("=");
    if (eq <= 0 || eq === entry.length - 1) {
      throw new Error(`Cannot use ${EMBEDDED_ENV.files}: malformed entry ${JSON.stringify(entry)}`);
    }
    files.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return files;
}

/** The embedded assets named by the environment, or null when not running from the binary. */
export function embeddedAssets(
  getEnv: (name: string) => string | undefined = (n) => Deno.env.get(n),
): EmbeddedAssets | null {
  const raw = getEnv(EMBEDDED_ENV.files);
  if (raw === undefined) return null;
  return { packaging: getEnv(EMBEDDED_ENV.packaging) ?? "launcher", files: parseManifest(raw) };
}

/** Names of the embedded configs: those with both `NAME.yaml` and `NAME.bpf.o`, sorted. */
export function embeddedConfigNames(assets: EmbeddedAssets): string[] {
  const names: string[] = [];
  for (const file of assets.files.keys()) {
    if (!file.endsWith(".yaml")) continue;
    const name = file.slice(0, -".yaml".length);
    if (assets.files.has(`${name}.bpf.o`)) names.push(name);
  }
  return names.sort();
}

function notFound(path: string): Error {
  return new Deno.errors.NotFound(`No such embedded file ${JSON.stringify(path)}`);
}

function embeddedPath(assets: EmbeddedAssets, path: string): string | null {
  const prefix = `${EMBEDDED_CONFIG_DIR}/`;
  if (!path.startsWith(prefix)) return null;
  return assets.files.get(path.slice(prefix.length)) ?? null;
}

/** A config reader over the embedded files. */
export function embeddedConfigFs(
  assets: EmbeddedAssets,
  readFile: (path: string) => Uint8Array = readFileViaLibc,
): ConfigFs {
  return {
    readTextFile(path: string, maxBytes: number): string {
      const fdPath = embeddedPath(assets, path);
      if (fdPath === null) throw notFound(path);
      const bytes = readFile(fdPath);
      if (bytes.length > maxBytes) throw tooLarge(maxBytes);
      return new TextDecoder().decode(bytes);
    },
  };
}

/**
 * A config reader over the disk that turns a sandbox refusal into advice: the binary may read
 * only the --config.dir it was started with, and nothing under /proc or /sys.
 */
export function sandboxedDiskFs(
  dir: string,
  readTextFile: (path: string, maxBytes: number) => string = (p, max) =>
    readBoundedTextFile(dir, p, max),
): ConfigFs {
  return {
    readTextFile(path: string, maxBytes: number): string {
      try {
        return readTextFile(path, maxBytes);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotCapable)) throw e;
        const where = /^\/(proc|sys)(\/|$)/.test(path)
          ? "files under /proc and /sys cannot be read through Deno's sandbox"
          : `this process may read only --config.dir ${JSON.stringify(dir)}`;
        throw new Error(
          `reading is not permitted (${where}); put the config and its .bpf.o in one ` +
            `directory and pass that directory as --config.dir`,
        );
      }
    },
  };
}

/**
 * Where this run's configs come from: a --config.dir the user gave wins, then the embedded
 * examples of the binary, then `fallbackDir` (the examples next to the sources).
 */
export function configSource(
  configDir: string | null,
  assets: EmbeddedAssets | null,
  fallbackDir: string,
): ConfigSource {
  if (configDir === null && assets !== null) {
    return {
      dir: EMBEDDED_CONFIG_DIR,
      fs: embeddedConfigFs(assets),
      readObject: (path) => {
        const fdPath = embeddedPath(assets, path);
        return fdPath === null ? null : readFileViaLibc(fdPath);
      },
      embedded: true,
    };
  }
  const dir = configDir ?? fallbackDir;
  return { dir, fs: sandboxedDiskFs(dir), readObject: () => null, embedded: false };
}

/** A sandbox refusal reworded for the single binary, or null for any other error. */
export function explainSandboxError(e: unknown): string | null {
  if (!(e instanceof Deno.errors.NotCapable)) return null;
  const what = e.message.replace(/, run again with .*$/s, "");
  return `${what}: this process runs with only the permissions it needs (reads of ` +
    `--config.dir, the listen address, its own environment variables) and never prompts`;
}

/** Names of the configs a directory (or the embedded examples) offers: `NAME.yaml` files. */
export function listConfigNames(source: ConfigSource, assets: EmbeddedAssets | null): string[] {
  if (source.embedded && assets !== null) return embeddedConfigNames(assets);
  const names: string[] = [];
  for (const entry of Deno.readDirSync(source.dir)) {
    if (entry.isFile && entry.name.endsWith(".yaml")) names.push(entry.name.slice(0, -5));
  }
  return names.sort();
}

/** Throws when a name is not embedded, listing the ones that are. */
export function checkEmbeddedNames(assets: EmbeddedAssets, names: string[]): void {
  const have = embeddedConfigNames(assets);
  for (const name of names) {
    if (!have.includes(name)) {
      throw new Error(
        `Cannot load config ${JSON.stringify(name)}: it is not embedded in this binary ` +
          `(embedded: ${have.join(", ")}); pass --config.dir to load configs from a directory`,
      );
    }
  }
}
