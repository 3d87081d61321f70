/**
 * The application lifecycle without a kernel: exit statuses of the early exits, and resources
 * released by their stack in reverse order whatever ends the run.
 */
import assert from "node:assert/strict";
import { main } from "../src/app/run.ts";
import { listen, ownExporter } from "../src/app/resources.ts";
import { StartupError } from "../src/app/startup.ts";
import { parseCommandLine } from "../src/cli.ts";
import { SlabPool } from "../src/encode/slab_pool.ts";
import type { Exporter } from "../src/exporter/exporter.ts";

const EXAMPLES = new URL("../examples", import.meta.url).pathname;

function flags(argv: string[]) {
  const c = parseCommandLine(["--config.names=timers", ...argv]);
  if (c.kind !== "run") throw new Error(`expected a run command, got ${c.kind}`);
  return c.flags;
}

/** An exporter stand-in that records its close and serves one fixed exposition. */
function fakeExporter(events: string[]): Exporter {
  const chunks = [new TextEncoder().encode("up 1\n")];
  return {
    close: () => events.push("exporter closed"),
    scrape: () => Promise.resolve(chunks.values()),
    formats: new Set(["text"]),
    countRequest: () => {},
    slabs: new SlabPool(),
  } as unknown as Exporter;
}

Deno.test("a usage error and a bad --capabilities.keep exit 1 before anything is loaded", async () => {
  assert.equal(await main(["--no-such-flag"], EXAMPLES), 1);
  assert.equal(await main(["--config.names=timers", "--capabilities.keep=cap_nope"], EXAMPLES), 1);
});

Deno.test("an unknown config exits 1 from the config phase", async () => {
  assert.equal(await main(["--config.names=no_such_config", "--log.no-timestamps"], EXAMPLES), 1);
});

Deno.test("the stack closes the exporter after what was registered later", async () => {
  const events: string[] = [];
  {
    await using stack = new AsyncDisposableStack();
    ownExporter(stack, fakeExporter(events));
    stack.defer(() => void events.push("later resource released"));
    events.push("run over");
  }
  assert.deepEqual(events, ["run over", "later resource released", "exporter closed"]);
});

Deno.test("the server serves until its stack closes, then refuses connections", async () => {
  const events: string[] = [];
  let port = 0;
  {
    await using stack = new AsyncDisposableStack();
    const exporter = ownExporter(stack, fakeExporter(events));
    await listen(
      stack,
      flags(["--web.listen-address=127.0.0.1:0"]),
      exporter,
      (a) => port = a.port,
    );
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(await res.text(), "up 1\n");
  }
  assert.deepEqual(events, ["exporter closed"]);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
});

Deno.test("a port in use is a StartupError naming the address", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const address = `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`;
  const stack = new AsyncDisposableStack();
  await assert.rejects(
    listen(stack, flags([`--web.listen-address=${address}`]), fakeExporter([]), () => {}),
    (e) => e instanceof StartupError && e.message.startsWith(`Cannot listen on "${address}": `),
  );
});
