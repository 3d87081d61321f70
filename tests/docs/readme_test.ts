/**
 * README.md's shell blocks marked ```sh runnable, run as written from the repository root.
 * A block that uses sudo needs root and BPF, so it is a kernel test (skipped loudly without them,
 * failing under EBPF_EXPORTER_REQUIRE_KERNEL=1); as root, sudo is the command itself, since a
 * fresh host may not have sudo installed. Runnable blocks must not reach the network.
 */

import assert from "node:assert/strict";
import { kernelTest, ROOT } from "../kernel/harness.ts";

const README = `${ROOT}/README.md`;
const MARKER = "```sh runnable\n";
// Each block gets this long, which covers building examples on a slow host.
const BLOCK_TIMEOUT_MS = 300_000;
// Commands that would leave this machine, or install things: not for a runnable block.
const NETWORK = /\b(curl|wget|apt-get|apt|npm|docker|git clone|ssh)\b/;
// As root without sudo installed, `sudo CMD` runs CMD.
const SUDO_SHIM =
  'if [ "$(id -u)" = 0 ] && ! command -v sudo >/dev/null; then sudo() { "$@"; }; fi\n';

/** The bodies of the runnable blocks of a Markdown text, with their line numbers. */
export function runnableBlocks(text: string): Array<{ line: number; body: string }> {
  const out = [];
  let at = text.indexOf(MARKER);
  while (at >= 0) {
    const start = at + MARKER.length;
    const end = text.indexOf("```", start);
    assert.ok(end > start, "unterminated runnable block");
    out.push({ line: text.slice(0, at).split("\n").length, body: text.slice(start, end) });
    at = text.indexOf(MARKER, end);
  }
  return out;
}

async function run(body: string): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: ["-euo", "pipefail", "-c", SUDO_SHIM + body],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(BLOCK_TIMEOUT_MS),
  }).output();
  const dec = new TextDecoder();
  assert.equal(
    out.code,
    0,
    `block failed (exit ${out.code}):\n${body}\nstdout:\n${dec.decode(out.stdout)}\n` +
      `stderr:\n${dec.decode(out.stderr)}`,
  );
}

Deno.test("runnable blocks are found by the marker and only by it", () => {
  const text = "a\n```sh runnable\necho 1\n```\n```sh\necho 2\n```\n```sh runnable\necho 3\n```\n";
  assert.deepEqual(runnableBlocks(text), [{ line: 2, body: "echo 1\n" }, {
    line: 8,
    body: "echo 3\n",
  }]);
});

const blocks = runnableBlocks(Deno.readTextFileSync(README));

Deno.test("README has runnable blocks and none of them reaches the network", () => {
  assert.ok(blocks.length > 0, "no ```sh runnable block in README.md");
  for (const b of blocks) {
    assert.ok(!NETWORK.test(b.body), `README.md:${b.line}: runnable block uses the network`);
  }
});

for (const b of blocks) {
  const name = `README.md:${b.line} runs as written`;
  if (/\bsudo\b/.test(b.body)) kernelTest(name, () => run(b.body));
  else Deno.test(name, () => run(b.body));
}
