/** The one way tests wait for something to happen: a bounded poll, never a fixed sleep. */

/**
 * Multiplies every wait bound of the tests: the kernel matrix sets it when its guests run under
 * emulation (TCG), where the same work takes several times longer than on the host.
 */
export const TIMEOUT_SCALE = Math.max(
  1,
  Number(Deno.env.get("EBPF_EXPORTER_TEST_TIMEOUT_SCALE") ?? "1") || 1,
);

/** Resolves after `ms` milliseconds: the pause between two polls. */
function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `cond` every `intervalMs` until it returns true, failing with `what` after `timeoutMs`
 * (scaled by TIMEOUT_SCALE). Use it instead of a fixed sleep wherever a test waits for something.
 */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const timeoutMs = (opts.timeoutMs ?? 10000) * TIMEOUT_SCALE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await pause(opts.intervalMs ?? 50);
  }
}
