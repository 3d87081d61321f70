/**
 * Command-line flags for the permission sets of deno.json, the one list of what each kind of run
 * may do: `deno task`/make pass `-P=NAME`; child processes started by tests and the bench, and
 * the single binary's launcher (pack/launcher_permissions.ts), pass these flags.
 */

import config from "../deno.json" with { type: "json" };

/** The permission sets deno.json defines. */
export type PermissionSet = keyof typeof config.permissions;

/** One grant of a set: everything of a kind, or a list of names or paths. */
type Grant = boolean | readonly string[];

/** The `--allow-*` flags granting permission set `name` of deno.json. */
export function permissionFlags(name: PermissionSet): string[] {
  const set: Record<string, Grant> = config.permissions[name];
  return Object.entries(set).flatMap(([kind, grant]) => grantFlag(kind, grant));
}

function grantFlag(kind: string, grant: Grant): string[] {
  if (grant === true) return [`--allow-${kind}`];
  if (grant === false || grant.length === 0) return [];
  // Deno splits allow lists on commas; none of our names or paths contain one.
  return [`--allow-${kind}=${grant.join(",")}`];
}

/**
 * Kinds the launcher narrows at run time: net to the listen address, read to --config.dir.
 * Their grant in the "exporter" set is what a source checkout gets.
 */
export const NARROWED_BY_LAUNCHER: readonly string[] = ["net", "read"];

/** The flags the single binary always passes: the "exporter" set minus what it narrows. */
export function launcherFlags(): string[] {
  return permissionFlags("exporter").filter((f) =>
    !NARROWED_BY_LAUNCHER.some((kind) =>
      f === `--allow-${kind}` || f.startsWith(`--allow-${kind}=`)
    )
  );
}
