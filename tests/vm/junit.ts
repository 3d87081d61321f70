/** Reads the JUnit XML that `deno test --junit-path` writes: one outcome per test case. */

/** How one test ended. */
export type Outcome = "passed" | "failed" | "skipped";

/** One test case of a report. */
export interface CaseResult {
  /** The test file, as deno names it (`./tests/kernel/attach_test.ts`). */
  file: string;
  name: string;
  outcome: Outcome;
  /** The failure message, when it failed. */
  message?: string;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Decodes the five XML entities and numeric character references. */
export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return ENTITIES[e]!;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1]!) : undefined;
}

/**
 * Parses deno's JUnit report; a test case with neither failure nor skipped element passed. The
 * file is the test suite's name: a case's classname is where Deno.test was called, which is the
 * harness for tests registered through a helper.
 */
export function parseJunit(xml: string): CaseResult[] {
  const out: CaseResult[] = [];
  const suiteRe = /<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g;
  for (const suite of xml.matchAll(suiteRe)) {
    out.push(...parseCases(attribute(suite[1]!, "name") ?? "", suite[2]!));
  }
  return out;
}

function parseCases(file: string, xml: string): CaseResult[] {
  const out: CaseResult[] = [];
  const caseRe = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(caseRe)) {
    const tag = m[1]!;
    const body = m[3] ?? "";
    const result: CaseResult = {
      file,
      name: attribute(tag, "name") ?? "",
      outcome: "passed",
    };
    const failure = /<failure\b([^>]*)>/.exec(body);
    if (failure) {
      result.outcome = "failed";
      const message = attribute(failure[1]!, "message");
      if (message !== undefined) result.message = message;
    } else if (/<skipped\b/.test(body)) {
      result.outcome = "skipped";
    }
    out.push(result);
  }
  return out;
}
