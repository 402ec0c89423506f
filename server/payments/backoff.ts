/** When recovery tries an unresolved attempt again: exponential, capped, with jitter. */
export interface BackoffPolicy {
  /** Delay after the first failed try. */
  baseMs: number;
  /** No delay grows beyond this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 30_000, capMs: 3_600_000 };

/**
 * Delay before try number `tries + 1`, given `tries` failed ones (>= 1). "Equal jitter": half of the
 * exponential delay is fixed, half random, so attempts that failed together spread out instead of
 * hitting the PSP again in one burst, and none comes back sooner than half its delay.
 */
export function backoffDelayMs(tries: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(tries - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * random());
}
