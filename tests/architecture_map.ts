/**
 * The module map of ARCHITECTURE.md: one line per module of main.ts, src/ and ffi/, with the
 * first sentence of the module's leading doc comment. Run it to print the map; the docs test
 * checks that ARCHITECTURE.md holds the current one, so a new module without a doc comment or a
 * renamed one fails CI.
 */

const ROOT = new URL("../", import.meta.url).pathname;
const DIRS = ["ffi", "src"];

/** Markers around the generated map in ARCHITECTURE.md. */
export const MAP_BEGIN = "<!-- module-map:begin -->";
export const MAP_END = "<!-- module-map:end -->";

function modules(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...modules(path));
    else if (e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every module path, sorted, main.ts first. */
export function modulePaths(): string[] {
  return ["main.ts", ...DIRS.flatMap(modules).sort()];
}

/** The first sentence of a module's leading `/** ... *\/` comment, or null. */
export function moduleSummary(text: string): string | null {
  const m = /^(?:\/\/[^\n]*\n)*\s*\/\*\*([\s\S]*?)\*\//.exec(text);
  if (m === null) return null;
  const prose = m[1]!.split("\n").map((l) => l.replace(/^\s*\*\s?/, "").trim()).join(" ").trim();
  return prose.slice(0, sentenceEnd(prose)).trim();
}

/** Index of the first `.`, `:` or `;` that ends a clause outside backticks and parentheses. */
function sentenceEnd(prose: string): number {
  let depth = 0;
  let code = false;
  for (let i = 0; i < prose.length; i++) {
    const c = prose[i]!;
    if (c === "`") code = !code;
    else if (!code && c === "(") depth++;
    else if (!code && c === ")") depth = Math.max(0, depth - 1);
    else if (!code && depth === 0 && ".:;".includes(c) && /^\s?$/.test(prose[i + 1] ?? "")) {
      return i;
    }
  }
  return prose.length;
}

/** The map as a fenced block: `path  summary` per module. */
export function moduleMap(): string {
  const paths = modulePaths();
  const width = Math.max(...paths.map((p) => p.length)) + 2;
  const lines = paths.map((p) => {
    const summary = moduleSummary(Deno.readTextFileSync(`${ROOT}${p}`)) ?? "(no doc comment)";
    return `${p.padEnd(width)}${summary}`;
  });
  return ["```", ...lines, "```"].join("\n");
}

/** ARCHITECTURE.md with its module map replaced by the current one. */
export function withCurrentMap(doc: string): string {
  const start = doc.indexOf(MAP_BEGIN);
  const end = doc.indexOf(MAP_END);
  if (start === -1 || end < start) throw new Error("ARCHITECTURE.md lacks the module-map markers");
  return doc.slice(0, start + MAP_BEGIN.length) + "\n" + moduleMap() + "\n" + doc.slice(end);
}

if (import.meta.main) {
  if (Deno.args.includes("--write")) {
    const path = `${ROOT}ARCHITECTURE.md`;
    Deno.writeTextFileSync(path, withCurrentMap(Deno.readTextFileSync(path)));
  } else {
    console.log(moduleMap());
  }
}
