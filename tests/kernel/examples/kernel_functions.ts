/**
 * The clear-error paths of an example whose programs sit on kernel functions (kprobe, kretprobe,
 * ksyscall, fentry, fexit); tests pick the path with hasFeature("kprobe") or hasFeature("fentry").
 * A kernel without kprobes still loads such programs and reports each one attached 0 with the
 * reason; a kernel that refuses trampoline programs (fentry/fexit) fails the whole config at load.
 */

import assert from "node:assert/strict";
import {
  loadedPrograms,
  reportedProgramIds,
  runExporter,
  waitProgramsGone,
  withExporter,
} from "../harness.ts";
import { EXAMPLES, metrics, samples } from "./common.ts";

/**
 * Clear-error path of a kprobe/kretprobe/ksyscall example: the exporter serves, reports every
 * one of `programs` attached 0, logs a reason for each, and unloads them when it exits.
 */
export function expectNoneAttached(example: string, programs: string[]): Promise<void> {
  return expectAttachState(example, Object.fromEntries(programs.map((p) => [p, false])));
}

/**
 * Runs the exporter on `example` and checks which programs attached: `states` maps each program
 * of the config to true (attached) or false (attached 0, with a reason in the log). The
 * programs are unloaded when the exporter exits.
 */
export async function expectAttachState(
  example: string,
  states: Record<string, boolean>,
): Promise<void> {
  let ids: number[] = [];
  await withExporter(["--config.dir", EXAMPLES, "--config.names", example], {}, async (ex) => {
    const text = await metrics(ex);
    ids = reportedProgramIds(text);
    const idOf = new Map(
      samples(text, "ebpf_exporter_ebpf_program_info")
        .filter((s) => s.labels.config === example)
        .map((s) => [s.labels.program, s.labels.id]),
    );
    assert.deepEqual([...idOf.keys()].sort(), Object.keys(states).sort(), text);
    for (const [program, attached] of Object.entries(states)) {
      const id = idOf.get(program);
      assert.equal(
        samples(text, "ebpf_exporter_ebpf_program_attached").find((s) => s.labels.id === id)
          ?.value,
        attached ? 1 : 0,
        `${program} (id ${id}) should be reported as ${attached ? "" : "not "}attached:\n${text}`,
      );
      const failed = new RegExp(
        `Failed to attach program "${program}" \\([^)]*\\) for config "${example}": \\S`,
      );
      if (attached) assert.doesNotMatch(ex.log(), failed);
      else assert.match(ex.log(), failed);
    }
  });
  await waitProgramsGone(ids);
}

/**
 * Clear-error path of an fentry/fexit example: the exporter refuses to start, naming the config,
 * and none of its programs is left loaded.
 */
export async function expectLoadRefused(example: string, programs: string[]): Promise<void> {
  const r = await runExporter(["--config.dir", EXAMPLES, "--config.names", example]);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`Cannot load config "${example}": \\S`));
  assert.doesNotMatch(r.stderr, /Listening on/);
  // Nothing was reported, so look the programs up by name (the kernel keeps 15 characters).
  const left = (await loadedPrograms()).filter((p) =>
    programs.some((name) => p.name === name.slice(0, 15))
  );
  assert.deepEqual(left, [], "programs of the refused config are still loaded");
}
