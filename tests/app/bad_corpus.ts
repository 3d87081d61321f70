/**
 * The committed bad-input corpus (tests/fixtures/bad/<category>/<case>/): reading each case
 * and laying it out as a config directory. Every case is a `case.json` and the YAML files it
 * needs; objects, symlinks, FIFOs and oversized files are made by `materialize`, because git
 * cannot hold them portably (and fixture objects are build outputs).
 */

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
/** Where the corpus lives. */
export const CORPUS_DIR = `${FIXTURES}bad`;

/** Files `materialize` makes instead of copying. */
export type Made = "fifo" | "oversized" | "not-elf" | "directory";

/** One case's `case.json`. */
export interface CaseSpec {
  /** What is wrong, in a few words. */
  what: string;
  /** The `--config.names` value. */
  names: string;
  /**
   * Expected last line of stderr, exactly; `{dir}` stands for the config directory and
   * `{outside}` for the file symlinks may point at.
   */
  expect: string;
  /** Config name → fixture object (relative to tests/fixtures) copied in as NAME.bpf.o. */
  objects?: Record<string, string>;
  /** File name → symlink target; `{outside}` is a file next to, not in, the config dir. */
  symlinks?: Record<string, string>;
  /** File name → what to make there. */
  make?: Record<string, Made>;
  /** Extra command-line flags. */
  args?: string[];
  /** Part of the subset the kernel test runs through --config.check-attach. */
  attach?: boolean;
}

/** A case with its place in the corpus. */
export interface Case extends CaseSpec {
  category: string;
  name: string;
  source: string;
}

/** Content of the file outside the config dir that symlinks point at; no error may quote it. */
export const OUTSIDE_SECRET =
  "root:$6$corpus$c2VjcmV0IHRoYXQgbXVzdCBub3QgbGVhaw:19000:0:99999:7:::\n";

/** Every case, sorted by category and name. */
export function readCorpus(): Case[] {
  const cases: Case[] = [];
  for (const category of sortedDirs(CORPUS_DIR)) {
    for (const name of sortedDirs(`${CORPUS_DIR}/${category}`)) {
      const source = `${CORPUS_DIR}/${category}/${name}`;
      const spec: CaseSpec = JSON.parse(Deno.readTextFileSync(`${source}/case.json`));
      cases.push({ ...spec, category, name, source });
    }
  }
  return cases;
}

function sortedDirs(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort();
}

/** Lays a case out in a fresh directory under `tmp`; returns the config dir (a real path). */
export async function materialize(c: Case, tmp: string): Promise<string> {
  const root = await Deno.makeTempDir({ dir: tmp, prefix: `${c.name}-` });
  const dir = `${root}/configs`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(outsidePath(dir), OUTSIDE_SECRET);
  for (const e of Deno.readDirSync(c.source)) {
    if (e.isFile && e.name !== "case.json") {
      await Deno.copyFile(`${c.source}/${e.name}`, `${dir}/${e.name}`);
    }
  }
  for (const [name, object] of Object.entries(c.objects ?? {})) {
    await Deno.copyFile(`${FIXTURES}${object}`, `${dir}/${name}.bpf.o`);
  }
  for (const [file, target] of Object.entries(c.symlinks ?? {})) {
    await Deno.symlink(target.replace("{outside}", outsidePath(dir)), `${dir}/${file}`);
  }
  for (const [file, what] of Object.entries(c.make ?? {})) await make(`${dir}/${file}`, what);
  return Deno.realPath(dir);
}

// Next to the config dir, so only a symlink or a "../" name could reach it.
function outsidePath(dir: string): string {
  return `${dir.slice(0, dir.lastIndexOf("/"))}/outside.yaml`;
}

async function make(path: string, what: Made): Promise<void> {
  switch (what) {
    case "fifo": {
      const r = await new Deno.Command("mkfifo", { args: [path] }).output();
      if (!r.success) throw new Error(`mkfifo ${path} failed`);
      return;
    }
    case "oversized":
      // Valid YAML (one long comment) just over the 4 MiB default cap.
      return Deno.writeTextFile(path, `# ${"x".repeat(4 * 1024 * 1024)}\nmetrics: {}\n`);
    case "not-elf":
      return Deno.writeTextFile(path, "this is not an ELF file at all\n".repeat(20));
    case "directory":
      return Deno.mkdir(path);
  }
}

/** The expected last stderr line of a case run in `dir`. */
export function expectedLine(c: Case, dir: string): string {
  return c.expect.replaceAll("{dir}", dir).replaceAll("{outside}", outsidePath(dir));
}

/** The last non-empty line of a process's output. */
export function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}
