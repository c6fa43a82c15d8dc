/**
 * Polls `check` until it returns a value other than `undefined` or `false`, and resolves with it; fails
 * naming `what` after `timeoutMs`. Waiting on a condition, never a fixed sleep.
 *
 * @param what - description for the timeout error
 * @param check - the condition (a boolean, or a value to wait for)
 * @param timeoutMs - give up after this long
 * @param intervalMs - pause between checks
 * @example
 * ```ts
 * await waitFor('the shard map reload', () => sink.counters.shardMapRefreshes > 0);
 * const port = await waitFor('the port', () => server.port);
 * ```
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
