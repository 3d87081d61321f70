/** The struct layout check: the real tables compile against the headers, a wrong offset does not. */

import assert from "node:assert/strict";
import { structAsserts, structsCheckSource } from "../../ffi/structs_check.ts";
import { BPF_OBJECT_OPEN_OPTS, PERF_EVENT_ATTR, type StructLayout } from "../../ffi/structs.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LIBBPF_INCLUDE = `${ROOT}build/libbpf/include`;

/** Why gcc cannot run the check here, or null when it can. */
function missingTools(): string | null {
  try {
    Deno.statSync(`${LIBBPF_INCLUDE}/bpf/libbpf.h`);
    Deno.statSync("/usr/include/linux/bpf.h");
  } catch {
    return `libbpf headers (${LIBBPF_INCLUDE}) or linux uapi headers are absent`;
  }
  try {
    new Deno.Command("gcc", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
  } catch {
    return "gcc is not installed";
  }
  return null;
}

async function compile(source: string): Promise<{ ok: boolean; stderr: string }> {
  const file = await Deno.makeTempFile({ prefix: "structs-check-", suffix: ".c" });
  try {
    await Deno.writeTextFile(file, source);
    const out = await new Deno.Command("gcc", {
      args: ["-fsyntax-only", "-Wall", "-Werror", "-I", LIBBPF_INCLUDE, file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { ok: out.success, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(file);
  }
}

const why = missingTools();
if (why !== null) console.warn(`SKIPPING struct layout compile tests: ${why}`);

Deno.test("every struct offset the FFI layer uses matches the headers", {
  ignore: why !== null,
}, async () => {
  const r = await compile(structsCheckSource());
  assert.ok(r.ok, r.stderr);
});

Deno.test("gcc rejects a deliberately wrong offset, naming the field", {
  ignore: why !== null,
}, async () => {
  const wrong: StructLayout = {
    ...BPF_OBJECT_OPEN_OPTS,
    fields: { ...BPF_OBJECT_OPEN_OPTS.fields, btf_custom_path: 40 },
  };
  const r = await compile(structsCheckSource([wrong]));
  assert.equal(r.ok, false);
  assert.match(r.stderr, /struct bpf_object_open_opts\.btf_custom_path is not at offset 40/);
});

Deno.test("gcc rejects a size that does not cover a used field", {
  ignore: why !== null,
}, async () => {
  const short: StructLayout = { ...PERF_EVENT_ATTR, size: 12 };
  const r = await compile(structsCheckSource([short]));
  assert.equal(r.ok, false);
  assert.match(r.stderr, /struct perf_event_attr\.config ends beyond the 12 bytes used/);
});

Deno.test("a prefix-sized struct asserts offsets, field ends and a minimum size", () => {
  assert.deepEqual(
    structAsserts({
      ctype: "struct s",
      header: "uapi",
      size: 16,
      sizeRule: "prefix",
      fields: { a: 8 },
    }),
    [
      '_Static_assert(offsetof(struct s, a) == 8, "struct s.a is not at offset 8");',
      "_Static_assert(offsetof(struct s, a) + sizeof(((struct s *)0)->a) <= 16, " +
      '"struct s.a ends beyond the 16 bytes used");',
      '_Static_assert(sizeof(struct s) >= 16, "sizeof(struct s) is smaller than 16");',
    ],
  );
});
