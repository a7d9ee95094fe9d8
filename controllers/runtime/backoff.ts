// Capped exponential backoff: the delay before the n-th retry of something that keeps failing.

export interface BackoffPolicy {
  /** The delay after the first failure. */
  baseMs: number;
  /** The delay never grows past this. */
  maxMs: number;
}

/** base · 2^(failures−1), capped; 0 for no failures. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures <= 0) return 0;
  // 2^60 overflows nothing that matters: the cap wins long before.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures - 1, 60));
}
