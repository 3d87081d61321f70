/**
 * Regenerates the syscall and errno tables next to this file from real sources:
 *
 * - syscalls_x86_64.ts and syscalls_arm64.ts from strace's `syscallent.h` files. The names are
 *   strace's internal ones (the `SEN(...)` argument: `17 pread`, `7 poll_time64`, `231 exit`),
 *   which is what the Go exporter's tables hold. x86_64 reads src/linux/x86_64/syscallent.h;
 *   arm64 reads src/linux/aarch64/syscallent.h, which includes the generic 64-bit table; both
 *   end in src/linux/generic/syscallent-common.h.
 * - errno.ts from the kernel UAPI headers asm-generic/errno-base.h and asm-generic/errno.h
 *   (Debian package linux-libc-dev), one name per number: aliases defined as another name
 *   (`EWOULDBLOCK EAGAIN`, `EDEADLOCK EDEADLK`) are skipped.
 *
 * Fetch the strace source with Debian's deb-src entries, then run from the repository root:
 *
 *   mkdir -p /tmp/strace-src && cd /tmp/strace-src && apt-get source strace
 *   # (or a pinned version: apt-get source strace=6.1-0.1)
 *   deno run --allow-read --allow-write src/decoders/tables/generate.ts /tmp/strace-src/strace-*
 *
 * Options: `--uapi DIR` picks the UAPI include dir (default /usr/include), `--out DIR` the output
 * dir (default: this file's dir). The output is already `deno fmt` clean.
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface Entry {
  nr: number;
  name: string;
}

const decoder = new TextDecoder();

function readText(path: string): string {
  return decoder.decode(Deno.readFileSync(path));
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
}

// `[ 17] = { 4, TD, SEN(pread), "pread64" },` or `[BASE_NR + 424] = ...`, optionally a
// `[A ... B]` range.
const ENTRY = /^\[\s*([^\]]+?)\s*\]\s*=\s*\{[^}]*?SEN\(\s*(\w+)\s*\)/;

function evalIndex(expr: string, baseNr: number): number {
  let total = 0;
  for (const term of expr.split("+")) {
    const t = term.trim();
    if (t === "BASE_NR") total += baseNr;
    else if (/^\d+$/.test(t)) total += Number(t);
    else throw new Error(`Cannot evaluate syscall index "${expr}"`);
  }
  return total;
}

/** Preprocessor state carried across includes, as in C. */
interface CppState {
  baseNr: number | null;
  skipping: boolean;
  files: string[];
}

/**
 * Parses a syscallent.h file and the files it includes. Includes resolve relative to the
 * including file, then in each of `searchDirs` (strace's own include path order). Only the
 * directives these files use are understood; anything else stops the generator.
 */
function parseSyscallent(path: string, searchDirs: string[], out: Entry[], cpp: CppState): void {
  cpp.files.push(path);
  for (const raw of stripComments(readText(path)).split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const directive = line.replace(/^#\s*/, "");
      const inc = /^include\s+"([^"]+)"/.exec(directive);
      const def = /^define\s+BASE_NR\s+(\d+)$/.exec(directive);
      if (directive === "endif") {
        cpp.skipping = false;
      } else if (cpp.skipping) {
        continue;
      } else if (inc) {
        const name = inc[1]!;
        const candidates = [join(dirname(path), name), ...searchDirs.map((d) => join(d, name))];
        const found = candidates.find(exists);
        if (found === undefined) throw new Error(`Cannot find "${name}" included from "${path}"`);
        parseSyscallent(found, searchDirs, out, cpp);
      } else if (directive === "ifndef BASE_NR") {
        cpp.skipping = cpp.baseNr !== null;
      } else if (def) {
        cpp.baseNr = Number(def[1]);
      } else {
        throw new Error(`Cannot handle directive "${line}" in "${path}"`);
      }
      continue;
    }
    if (cpp.skipping) continue;
    const m = ENTRY.exec(line);
    if (!m) continue;
    const [index, name] = [m[1]!, m[2]!];
    const range = /^(.+?)\s*\.\.\.\s*(.+)$/.exec(index);
    const base = cpp.baseNr ?? 0;
    const from = evalIndex(range ? range[1]! : index, base);
    const to = range ? evalIndex(range[2]!, base) : from;
    for (let nr = from; nr <= to; nr++) out.push({ nr, name });
  }
}

function syscallTable(straceDir: string, arch: string): { entries: Entry[]; files: string[] } {
  const linux = join(straceDir, "src", "linux");
  const entries: Entry[] = [];
  const cpp: CppState = { baseNr: null, skipping: false, files: [] };
  const searchDirs = [join(linux, arch), join(linux, "generic")];
  parseSyscallent(join(linux, arch, "syscallent.h"), searchDirs, entries, cpp);
  const byNr = new Map<number, string>();
  for (const e of entries) byNr.set(e.nr, e.name);
  const sorted = [...byNr].sort((a, b) => a[0] - b[0]).map(([nr, name]) => ({ nr, name }));
  return { entries: sorted, files: cpp.files.map((f) => f.slice(straceDir.length + 1)) };
}

function straceVersion(straceDir: string): string {
  const tarball = join(straceDir, ".tarball-version");
  const version = exists(tarball) ? readText(tarball).trim() : "unknown version";
  const changelog = join(straceDir, "debian", "changelog");
  if (exists(changelog)) {
    const m = /^strace \(([^)]+)\)/.exec(readText(changelog));
    if (m) return `strace ${version} (Debian source package strace ${m[1]})`;
  }
  return `strace ${version}`;
}

function errnoTable(uapi: string): { entries: Entry[]; files: string[]; version: string } {
  const files = ["asm-generic/errno-base.h", "asm-generic/errno.h"];
  const byNr = new Map<number, string>();
  for (const f of files) {
    for (const line of readText(join(uapi, f)).split("\n")) {
      const m = /^#define\s+(E\w+)\s+(\d+)\b/.exec(line);
      if (m && !byNr.has(Number(m[2]))) byNr.set(Number(m[2]), m[1]!);
    }
  }
  const versionH = join(uapi, "linux", "version.h");
  let version = "Linux UAPI headers";
  if (exists(versionH)) {
    const text = readText(versionH);
    const part = (name: string) => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
    const [a, b, c] = [
      part("LINUX_VERSION_MAJOR"),
      part("LINUX_VERSION_PATCHLEVEL"),
      part("LINUX_VERSION_SUBLEVEL"),
    ];
    if (a && b && c) version = `Linux ${a}.${b}.${c} UAPI headers`;
  }
  const entries = [...byNr].sort((x, y) => x[0] - y[0]).map(([nr, name]) => ({ nr, name }));
  return { entries, files, version };
}

function render(header: string[], doc: string, constName: string, entries: Entry[]): string {
  const lines = [
    ...header.map((h) => `// ${h}`),
    "// Do not edit: regenerate with src/decoders/tables/generate.ts.",
    "",
    `/** ${doc} */`,
    `export const ${constName}: ReadonlyMap<number, string> = new Map([`,
    ...entries.map((e) => `  [${e.nr}, ${JSON.stringify(e.name)}],`),
    "]);",
    "",
  ];
  return lines.join("\n");
}

function main(args: string[]): void {
  let uapi = "/usr/include";
  let out = dirname(fileURLToPath(import.meta.url));
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--uapi") uapi = args[++i] ?? uapi;
    else if (args[i] === "--out") out = args[++i] ?? out;
    else positional.push(args[i]!);
  }
  const straceDir = positional[0]?.replace(/\/+$/, "");
  if (straceDir === undefined || !exists(join(straceDir, "src", "linux"))) {
    console.error("Usage: generate.ts STRACE_SOURCE_DIR [--uapi DIR] [--out DIR]");
    Deno.exit(2);
  }
  const version = straceVersion(straceDir);
  const arches = [
    { arch: "x86_64", file: "syscalls_x86_64.ts", name: "SYSCALLS_X86_64", label: "x86_64" },
    { arch: "aarch64", file: "syscalls_arm64.ts", name: "SYSCALLS_ARM64", label: "arm64" },
  ];
  for (const a of arches) {
    const { entries, files } = syscallTable(straceDir, a.arch);
    const text = render(
      [`Syscall numbers → strace's internal names for ${a.label}.`, `Source: ${version},`]
        .concat(files.map((f, i) => `  ${f}${i === files.length - 1 ? "." : ","}`))
        .concat([`${entries.length} entries.`]),
      `Syscall number → name on ${a.label} (strace's internal names).`,
      a.name,
      entries,
    );
    Deno.writeTextFileSync(join(out, a.file), text);
    console.log(`${a.file}: ${entries.length} entries`);
  }
  const errno = errnoTable(uapi);
  const text = render(
    [
      "Linux errno numbers → names (one name per number, aliases skipped).",
      `Source: ${errno.version} (Debian package linux-libc-dev),`,
      ...errno.files.map((f, i) => `  ${uapi}/${f}${i === errno.files.length - 1 ? "." : ","}`),
      `${errno.entries.length} entries.`,
    ],
    "Errno number → symbolic name.",
    "ERRNO_NAMES",
    errno.entries,
  );
  Deno.writeTextFileSync(join(out, "errno.ts"), text);
  console.log(`errno.ts: ${errno.entries.length} entries`);
}

if (import.meta.main) main(Deno.args);
