// `claw run` passes the signals that would end it (Ctrl-C, kill, a closed terminal) on to its command, and
// stays alive until the command has ended, so the private folder is always removed.

/** Where process signals come from: `process` itself, or a test's EventEmitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export interface SignalForwardingOptions {
  source: SignalSource;
  /** Also aborted on SIGINT by the entry point (cmd/claw.ts); aborting it sends the command SIGINT. */
  abort?: AbortSignal;
  /** Sends the signal to the command running now. */
  send: (signal: NodeJS.Signals) => void;
}

/** Starts forwarding; the returned function stops it. */
export function forwardSignals(opts: SignalForwardingOptions): () => void {
  // One Ctrl-C reaches us twice in the same tick (the entry point's abort and our own listener): send it once.
  const sentThisTick = new Set<NodeJS.Signals>();
  const forward = (signal: NodeJS.Signals) => {
    if (sentThisTick.has(signal)) return;
    sentThisTick.add(signal);
    queueMicrotask(() => sentThisTick.delete(signal));
    opts.send(signal);
  };
  const listeners = FORWARDED_SIGNALS.map((signal) => [signal, () => forward(signal)] as const);
  for (const [signal, listener] of listeners) opts.source.on(signal, listener);
  const onAbort = () => forward("SIGINT");
  opts.abort?.addEventListener("abort", onAbort);
  return () => {
    for (const [signal, listener] of listeners) opts.source.off(signal, listener);
    opts.abort?.removeEventListener("abort", onAbort);
  };
}
