/**
 * kill-calls: processes with names of their own signal themselves with signals whose default
 * action is to ignore them: a shell's kill builtin (kill(2)) sends SIGWINCH and signal 0, and
 * Python's signal.pthread_kill (tgkill(2)) sends SIGURG. Nothing else runs under those names,
 * so each series counts exactly the calls the test made.
 */

import assert from "node:assert/strict";
import { isReadable } from "../../../ffi/libc.ts";
import { hasFeature, kernelTest, note, sh } from "../harness.ts";
import { metrics, uniqueTag, valueOf, withExample, withNamedBinary } from "./common.ts";
import { expectNoneAttached } from "./kernel_functions.ts";

const METRIC = "ebpf_exporter_kill_calls_total";
const WINCH = 25;
const EXISTENCE_CHECKS = 5;
const URG = 7;
const PYTHON = "/usr/bin/python3";

kernelTest("kill-calls counts kill and tgkill calls by syscall, signal and command", async () => {
  if (!(await hasFeature("kprobe"))) {
    await expectNoneAttached("kill-calls", ["kill_entry", "tgkill_entry", "tkill_entry"]);
    return;
  }
  const tag = uniqueTag();
  const shell = `kill-sh-${tag}`;
  const python = `kill-py-${tag}`;
  const havePython = isReadable(PYTHON);
  if (!havePython) note(`${PYTHON} is missing: tgkill is not exercised`);
  await withExample("kill-calls", async (ex) => {
    await withNamedBinary(shell, "/bin/sh", (path) =>
      sh(path, [
        "-c",
        `i=0; while [ $i -lt ${WINCH} ]; do kill -WINCH $$; i=$((i+1)); done; ` +
        `i=0; while [ $i -lt ${EXISTENCE_CHECKS} ]; do kill -0 $$; i=$((i+1)); done`,
      ]));
    if (havePython) {
      await withNamedBinary(python, PYTHON, (path) =>
        sh(path, [
          "-c",
          `import signal, threading\nfor _ in range(${URG}):\n` +
          `    signal.pthread_kill(threading.get_ident(), signal.SIGURG)`,
        ]));
    }

    const text = await metrics(ex);
    const count = (syscall: string, signal: string, command: string) =>
      valueOf(text, METRIC, { syscall, signal, command });
    assert.equal(count("kill", "SIGWINCH", shell), WINCH, text);
    assert.equal(count("kill", "0", shell), EXISTENCE_CHECKS, text);
    if (havePython) assert.equal(count("tgkill", "SIGURG", python), URG, text);
  });
});
