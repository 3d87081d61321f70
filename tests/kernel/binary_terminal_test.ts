/**
 * The single binary on a terminal: nothing from the runtime reaches the user (Deno reports its
 * unusable cache directory only when stderr is a tty), and a listen port out of range is our one
 * line rather than the runtime's coloured permission error. `script` (util-linux, in every
 * Debian install) gives the binary a pseudo-terminal.
 */

import assert from "node:assert/strict";
import { kernelTest } from "./harness.ts";
import { buildBinary } from "./binary.ts";

/** Runs `args` under a pseudo-terminal; returns the exit code and what the terminal showed. */
async function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const quoted = args.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", quoted, "/dev/null"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const screen = (dec.decode(out.stdout) + dec.decode(out.stderr)).replaceAll("\r\n", "\n");
  return { code: out.code, screen };
}

kernelTest("the binary on a terminal prints only its own lines, without colour", async () => {
  const bin = await buildBinary();
  const r = await onTerminal([
    bin,
    "--config.check",
    "--config.names=timers",
    "--log.no-timestamps",
  ]);
  assert.equal(r.code, 0, r.screen);
  // The whole screen: the two lines --config.check logs, nothing before or between them.
  assert.match(
    r.screen,
    /^Using libbpf \S+ \(embedded: \/proc\/self\/fd\/\d+\)\nConfig check successful, exiting\n$/,
  );
});

kernelTest("a listen port out of range is one line from the binary, on a terminal", async () => {
  const bin = await buildBinary();
  const r = await onTerminal([bin, "--config.names=timers", "--web.listen-address=:70000"]);
  assert.equal(r.code, 1, r.screen);
  assert.equal(
    r.screen,
    'ebpf_exporter: error: --web.listen-address port out of range in ":70000": ports go from 0 to 65535, try --help\n',
  );
});
