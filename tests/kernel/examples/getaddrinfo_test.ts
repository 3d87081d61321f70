/**
 * getaddrinfo: getent (under a name of its own) looks up a numeric address, which succeeds with
 * no lookup at all, and, inside a private network namespace with no route anywhere, a name
 * under `.invalid`, which fails before any packet leaves. getent calls getaddrinfo once per key.
 */

import assert from "node:assert/strict";
import { kernelTest } from "../harness.ts";
import {
  metrics,
  samples,
  uniqueTag,
  valueOf,
  withExample,
  withNamedBinary,
  withNetns,
} from "./common.ts";

const CALLS = "ebpf_exporter_getaddrinfo_calls_total";
const ERRORS = "ebpf_exporter_getaddrinfo_errors_total";
const FOUND = 3;
const FAILED = 2;

async function getent(cmd: string, args: string[]): Promise<number> {
  return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output()).code;
}

kernelTest("getaddrinfo counts lookups by command and host, and failures by error", async () => {
  // uprobes on libc need nothing beyond what every kernel of the matrix has: nothing to probe.
  const tag = uniqueTag();
  const command = `gai-${tag}`;
  const address = `127.0.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
  const name = `q${tag}.ebpf-exporter.invalid`;
  await withNamedBinary(
    command,
    "/usr/bin/getent",
    (path) =>
      withNetns((ns) =>
        withExample("getaddrinfo", async (ex) => {
          for (let i = 0; i < FOUND; i++) {
            assert.equal(await getent(path, ["ahosts", address]), 0, `${address} resolves`);
          }
          for (let i = 0; i < FAILED; i++) {
            // getent exits 2 when the key was not found.
            assert.equal(await getent("ip", ["netns", "exec", ns, path, "ahosts", name]), 2);
          }
          const text = await metrics(ex);
          assert.equal(valueOf(text, CALLS, { command, host: address }), FOUND, text);
          assert.equal(valueOf(text, CALLS, { command, host: name }), FAILED, text);
          const errors = samples(text, ERRORS).filter((s) => s.labels.command === command);
          assert.equal(errors.reduce((n, s) => n + s.value, 0), FAILED, text);
          // Which error depends on the host's resolver setup; it is one glibc documents.
          for (const e of errors) assert.match(e.labels.error!, /^EAI_[A-Z]+$/);
        })
      ),
  );
});
