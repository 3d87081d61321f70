/** Finds, reads and validates the configs named on the command line (spec section 2.1). */

import type { Config } from "./types.ts";
import { ConfigError } from "./errors.ts";
import { parseConfig } from "./parse.ts";
import { checkAcrossConfigs } from "./cross.ts";

export { ConfigError } from "./errors.ts";
export { checkAcrossConfigs } from "./cross.ts";

/**
 * Where config files come from. `readTextFile` must throw `Deno.errors.NotFound` for a missing
 * file (the single-binary build passes a reader over embedded files).
 */
export interface ConfigFs {
  readTextFile(path: string): string;
}

const DISK: ConfigFs = { readTextFile: (path) => Deno.readTextFileSync(path) };

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
export function loadConfigs(dir: string, names: string[], fs: ConfigFs = DISK): Config[] {
  const configs: Config[] = [];
  for (const name of names) {
    if (configs.some((c) => c.name === name)) {
      throw nameError(`Cannot load config ${JSON.stringify(name)}: it is named more than once`);
    }
    const file = joinPath(dir, `${name}.yaml`);
    const text = readConfigText(fs, name, file);
    configs.push(
      parseConfig({ name, file, objectPath: joinPath(dir, `${name}.bpf.o`), text }),
    );
  }
  checkAcrossConfigs(configs);
  return configs;
}

function readConfigText(fs: ConfigFs, name: string, file: string): string {
  try {
    return fs.readTextFile(file);
  } catch (e) {
    const detail = e instanceof Deno.errors.NotFound
      ? `file ${JSON.stringify(file)} not found`
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
