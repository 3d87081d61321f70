/**
 * The launcher's V8 flags and glibc tunables (pack/runtime_flags.ts) reach the header
 * pack/launcher.c is compiled with, and launcher.c puts the flags on Deno's command line ahead of
 * the bundle. The running binary's command line and environment are checked in
 * tests/kernel/binary_test.ts.
 */
import assert from "node:assert/strict";
import {
  LAUNCHER_GLIBC_TUNABLES,
  LAUNCHER_V8_FLAGS,
  launcherV8Argument,
} from "../../pack/runtime_flags.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("the generated launcher header defines the V8 flags and tunables idle RSS relies on", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", "--no-lock", "pack/launcher_permissions.ts"],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const header = new TextDecoder().decode(out.stdout);
  const m = /^#define PACK_V8_FLAGS "(--v8-flags=[^"]*)"$/m.exec(header);
  assert.ok(m, `no PACK_V8_FLAGS in:\n${header}`);
  assert.equal(m[1], "--v8-flags=--max-semi-space-size=4,--expose-gc");
  assert.equal(m[1], launcherV8Argument());
  assert.deepEqual([...LAUNCHER_V8_FLAGS], ["--max-semi-space-size=4", "--expose-gc"]);
  const tunables = /^#define PACK_GLIBC_TUNABLES "([^"]*)"$/m.exec(header);
  assert.ok(tunables, `no PACK_GLIBC_TUNABLES in:\n${header}`);
  assert.equal(tunables[1], "glibc.malloc.arena_max=2");
  assert.equal(tunables[1], LAUNCHER_GLIBC_TUNABLES);
});

Deno.test("launcher.c passes PACK_V8_FLAGS before the bundle's path", () => {
  const c = Deno.readTextFileSync(new URL("pack/launcher.c", ROOT));
  const flags = c.indexOf("args[a++] = PACK_V8_FLAGS;");
  const bundle = c.indexOf("args[a++] = fd_path(bundle_fd);");
  assert.ok(flags > 0, "launcher.c does not pass PACK_V8_FLAGS");
  assert.ok(bundle > flags, "PACK_V8_FLAGS would follow the bundle and reach the app as arguments");
});

Deno.test("launcher.c sets GLIBC_TUNABLES only when the caller has none", () => {
  const c = Deno.readTextFileSync(new URL("pack/launcher.c", ROOT));
  assert.match(
    c,
    /if \(getenv\("GLIBC_TUNABLES"\) == NULL\) envp\[e\+\+\] = "GLIBC_TUNABLES=" PACK_GLIBC_TUNABLES;/,
  );
});
