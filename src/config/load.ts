/** Finds, reads and validates the configs named on the command line (spec section 2.1). */

import type { Config } from "./types.ts";
import { ConfigError } from "./errors.ts";
import { parseConfig } from "./parse.ts";
import { checkAcrossConfigs } from "./cross.ts";
import {
  ConfigFileRefused,
  DEFAULT_MAX_CONFIG_BYTES,
  readBoundedTextFile,
  tooLarge,
} from "./file_read.ts";

export { ConfigError } from "./errors.ts";
export { checkAcrossConfigs } from "./cross.ts";
export { ConfigFileRefused, DEFAULT_MAX_CONFIG_BYTES } from "./file_read.ts";

/**
 * Where config files come from. `readTextFile` must throw `Deno.errors.NotFound` for a missing
 * file and `ConfigFileRefused` for one it must not read, and should stop reading past
 * `maxBytes` (the single-binary build passes a reader over embedded files).
 */
export interface ConfigFs {
  readTextFile(path: string, maxBytes: number): string;
}

/** The directory reader: files resolve inside `dir`, are regular and bounded in size. */
export function diskConfigFs(dir: string): ConfigFs {
  return { readTextFile: (path, maxBytes) => readBoundedTextFile(dir, path, maxBytes) };
}

/** Limits of config loading. */
export interface LoadOptions {
  /** Largest config file accepted, in bytes. */
  maxBytes?: number;
}

// Config names become file names; anything but a plain name could leave the directory.
const PLAIN_NAME = /^[^/.\0][^/\0]*$/;

/** Splits repeated, comma-separated `--config.names` values, rejecting empty and repeated names. */
export function parseConfigNames(raw: string[]): string[] {
  const names: string[] = [];
  for (const value of raw) {
    for (const part of value.split(",")) {
      const name = part.trim();
      if (name === "") {
        throw nameError(`Cannot use --config.names ${JSON.stringify(value)}: empty config name`);
      }
      if (names.includes(name)) {
        throw nameError(
          `Cannot use --config.names: config ${JSON.stringify(name)} is given more than once`,
        );
      }
      names.push(name);
    }
  }
  if (names.length === 0) throw nameError("Cannot use --config.names: no config names given");
  return names;
}

/** Loads `<dir>/<name>.yaml` for every name, validating each and all of them together. */
export function loadConfigs(
  dir: string,
  names: string[],
  fs: ConfigFs = diskConfigFs(dir),
  opts: LoadOptions = {},
): Config[] {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  const configs: Config[] = [];
  for (const name of names) {
    checkPlainName(name);
    if (configs.some((c) => c.name === name)) {
      throw nameError(`Cannot load config ${JSON.stringify(name)}: it is named more than once`);
    }
    const file = joinPath(dir, `${name}.yaml`);
    const text = readConfigText(fs, name, file, maxBytes);
    configs.push(
      parseConfig({ name, file, objectPath: joinPath(dir, `${name}.bpf.o`), text }),
    );
  }
  checkAcrossConfigs(configs);
  return configs;
}

function checkPlainName(name: string): void {
  if (PLAIN_NAME.test(name) && !name.includes("..")) return;
  throw nameError(
    `Cannot load config ${JSON.stringify(name)}: config names must be plain file names ` +
      `(no "/", no "..", no leading ".")`,
  );
}

function readConfigText(fs: ConfigFs, name: string, file: string, maxBytes: number): string {
  try {
    const text = fs.readTextFile(file, maxBytes);
    // Readers that cannot stop early (embedded files, tests) are held to the cap here.
    if (text.length > maxBytes) throw tooLarge(maxBytes);
    return text;
  } catch (e) {
    const detail = e instanceof Deno.errors.NotFound
      ? `file ${JSON.stringify(file)} not found`
      : e instanceof ConfigFileRefused
      ? `refusing to read ${JSON.stringify(file)}: ${e.message}`
      : `cannot read ${JSON.stringify(file)}: ${(e as Error).message}`;
    throw new ConfigError(
      { file, line: 0, key: "" },
      `Cannot load config ${JSON.stringify(name)}: ${detail}`,
    );
  }
}

function joinPath(dir: string, file: string): string {
  if (dir === "") return file;
  return dir.endsWith("/") ? `${dir}${file}` : `${dir}/${file}`;
}

function nameError(message: string): ConfigError {
  return new ConfigError({ file: "", line: 0, key: "" }, message);
}
