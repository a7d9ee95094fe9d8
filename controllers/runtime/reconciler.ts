// The reconciler contract (STYLE.md): a key in, a wish to be woken later out; a throw is a retry with
// per-key backoff, a TerminalError is logged and counted but not retried.

export interface ReconcileRequest {
  /** The name of the object to bring to its desired state; the object itself is read from the cache. */
  name: string;
}

export interface ReconcileResult {
  /** Reconcile this key again this long after the reconcile started (for work due at a known time). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(request: ReconcileRequest): Promise<ReconcileResult>;
}

/** An error that retrying cannot fix (the object itself is wrong): logged, counted, not retried. */
export class TerminalError extends Error {
  override name = "TerminalError";
}

export const isTerminalError = (err: unknown): err is TerminalError => err instanceof TerminalError;
