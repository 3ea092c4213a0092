/** Bounded polling with messages that say what was awaited and what was last seen. */

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What we wait for, for the error message ("the status bar to show ready"). */
  what?: string;
}

export class WaitTimeoutError extends Error {}

/**
 * Calls `probe` until it returns something other than `undefined`/`false` and returns that.
 * `describeLast` adds what was seen last to the timeout message.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions & { describeLast?: () => string | null | undefined | Promise<string | null | undefined> } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      // A probe throws an error marked `fatal` when waiting longer cannot help (e.g. activation failed).
      if ((err as { fatal?: boolean } | undefined)?.fatal) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  let message = `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`;
  if (options.describeLast) message += `; last seen: ${(await options.describeLast()) ?? '(nothing)'}`;
  if (lastError) message += `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new WaitTimeoutError(message);
}
