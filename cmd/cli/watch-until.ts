// The loop under `claw wait` and the PKI commands' waits: one GET, then a watch of that one object from the
// version read, until the judge settles it, the timeout on the CLI's clock passes, or the command is
// interrupted. A watch the server ends (or refuses as too old) is started again from a fresh GET, after a
// pause when it brought nothing, so a quiet server is not asked in a tight loop.

import type { WatchEvent } from "../../api/client/api-types.js";
import { pauseUnlessAborted, type Clock } from "../../api/machinery/clock.js";
import { isGone } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";

export interface WatchedObject<T extends KubeObject> {
  /** The object, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<T | undefined>;
  /** Events of the one object after resourceVersion; ends when the server ends it or signal aborts. */
  watch(resourceVersion: string | undefined, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
}

/**
 * What the object as seen now means for the wait: a value ends it, undefined waits on, a throw fails it.
 * `seen` is how it was seen: read by the GET (undefined when absent), in an event, or deleted (undefined).
 */
export type WaitJudge<T, R> = (obj: T | undefined, seen: "read" | "event" | "deleted") => R | undefined;

export type WatchOutcome<R> = { settled: true; value: R } | { settled: false; timedOut: boolean };

/** A watch that brought nothing is started again after this, not at once. */
const QUIET_WATCH_PAUSE_MS = 1000;

export async function watchUntil<T extends KubeObject, R>(source: WatchedObject<T>, judge: WaitJudge<T, R>, opts: { clock: Clock; timeoutMs: number; signal?: AbortSignal }): Promise<WatchOutcome<R>> {
  const abort = new AbortController();
  const { signal } = abort;
  const interrupt = () => abort.abort();
  opts.signal?.addEventListener("abort", interrupt, { once: true });
  let timedOut = false;
  const timer = opts.clock.setTimer(opts.timeoutMs, () => {
    timedOut = true;
    abort.abort();
  });
  try {
    while (!signal.aborted) {
      let current: T | undefined;
      try {
        current = await source.get(signal);
      } catch (err) {
        if (signal.aborted) break;
        throw err;
      }
      const now = judge(current, "read");
      if (now !== undefined) return { settled: true, value: now };
      let events = 0;
      try {
        for await (const event of source.watch(current?.metadata.resourceVersion, signal)) {
          if (event.type === "BOOKMARK") continue;
          events++;
          const value = event.type === "DELETED" ? judge(undefined, "deleted") : judge(event.object, "event");
          if (value !== undefined) return { settled: true, value };
        }
      } catch (err) {
        if (signal.aborted) break;
        // Too old a version to watch from: read it again (above).
        if (!isGone(err)) throw err;
      }
      if (events === 0) await pauseUnlessAborted(opts.clock, QUIET_WATCH_PAUSE_MS, signal);
    }
  } finally {
    timer.cancel();
    opts.signal?.removeEventListener("abort", interrupt);
  }
  return { settled: false, timedOut };
}
