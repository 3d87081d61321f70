/**
 * signals: a bash process (under a name of its own) ignores SIGUSR1 and handles SIGUSR2; another
 * bash (under another name) sends it both with its kill builtin, and the test counts exactly
 * what it sent.
 */

import assert from "node:assert/strict";
import { kernelTest } from "../harness.ts";
import { metrics, samples, uniqueTag, valueOf, withExample, withNamedBinary } from "./common.ts";

const METRIC = "ebpf_exporter_signals_total";
const USR1 = 3;
const USR2 = 4;

/** Starts the receiver and resolves once its traps are installed. */
async function startReceiver(path: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(path, {
    args: ["-c", 'trap "" USR1; trap ":" USR2; echo ready; while :; do sleep 0.2; done'],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  await reader.cancel(); // nothing else is printed
  if (!value?.includes("ready")) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`receiver did not start: ${value}`);
  }
  return child;
}

kernelTest("signals counts each signal a command sends, by signal and outcome", async () => {
  // raw_tp needs no tracefs and signal_generate exists on every kernel: nothing to probe.
  const tag = uniqueTag();
  const sender = `sigs-${tag}`;
  const receiver = `sigr-${tag}`;
  await withNamedBinary(
    receiver,
    "/usr/bin/bash",
    (bash) =>
      withNamedBinary(sender, "/usr/bin/bash", (kill) =>
        withExample("signals", async (ex) => {
          const child = await startReceiver(bash);
          try {
            const send = async (sig: string) => {
              const out = await new Deno.Command(kill, {
                args: ["-c", `kill -${sig} ${child.pid}`],
              }).output();
              assert.equal(out.code, 0, `${sender} -${sig} failed`);
            };
            for (let i = 0; i < USR1; i++) await send("USR1");
            for (let i = 0; i < USR2; i++) await send("USR2");
          } finally {
            child.kill("SIGKILL");
            await child.status;
          }
          const text = await metrics(ex);
          const ours = samples(text, METRIC).filter((s) =>
            s.labels.sender === sender && s.labels.receiver === receiver
          );
          const sent = (signal: string) =>
            ours.filter((s) => s.labels.signal === signal).reduce((n, s) => n + s.value, 0);
          assert.equal(sent("SIGUSR1"), USR1, text);
          assert.equal(sent("SIGUSR2"), USR2, text);
          assert.equal(
            ours.length,
            ours.filter((s) => /^SIGUSR[12]$/.test(s.labels.signal!)).length,
          );
          // An ignored signal is dropped when generated (unless bash had it blocked just then); a
          // handled one is delivered, or found already pending when the previous one still was.
          const base = { sender, receiver };
          assert.ok(valueOf(text, METRIC, { ...base, signal: "SIGUSR1", result: "ignored" }) >= 1);
          assert.ok(
            valueOf(text, METRIC, { ...base, signal: "SIGUSR2", result: "delivered" }) >= 1,
          );
        })),
  );
});
