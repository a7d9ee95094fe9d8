// `claw wait`: one GET, then a watch of the one object from the version read, until the goal is met,
// the timeout on the CLI's clock passes, or the command is interrupted (kubectl wait).

import type { WatchEvent } from "../../api/client/api-types.js";
import type { RestClient } from "../../api/client/rest-client.js";
import { pauseUnlessAborted, type Clock } from "../../api/machinery/clock.js";
import { isGone, isNotFound } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { formatDuration } from "../../api/types/duration.js";
import { UsageError } from "./cli-errors.js";

export type WaitGoal = { type: "delete" } | { type: "condition"; condition: string; status: string };

/** `--for=delete`, `--for=condition=Ready`, `--for=condition=Ready=False`. */
export function parseWaitGoal(value: string | undefined): WaitGoal {
  if (value === "delete") return { type: "delete" };
  const m = /^condition=([^=]+)(?:=(.+))?$/.exec(value ?? "");
  if (!m) throw new UsageError(`--for must be delete or condition=NAME[=STATUS] (e.g. --for=condition=Ready), not "${value ?? ""}"`);
  return { type: "condition", condition: m[1]!, status: m[2] ?? "True" };
}

export type WaitVerdict = { met: true } | { met: false; seen: string };

/** Whether the object (undefined: it does not exist) meets the goal, and what it showed when not. */
export function judgeWait(goal: WaitGoal, obj: KubeObject | undefined): WaitVerdict {
  if (goal.type === "delete") return obj ? { met: false, seen: "it still exists" } : { met: true };
  if (!obj) return { met: false, seen: "it does not exist" };
  const conditions = (obj as { status?: { conditions?: unknown } }).status?.conditions;
  const found = Array.isArray(conditions)
    ? conditions.find((c: unknown): c is { type: string; status?: unknown; message?: unknown } => typeof c === "object" && c !== null && String((c as { type?: unknown }).type).toLowerCase() === goal.condition.toLowerCase())
    : undefined;
  if (!found) return { met: false, seen: `it has no ${goal.condition} condition yet` };
  if (String(found.status).toLowerCase() === goal.status.toLowerCase()) return { met: true };
  return { met: false, seen: `${goal.condition} is ${String(found.status)}${typeof found.message === "string" && found.message ? `: ${found.message}` : ""}` };
}

export interface ObjectSource {
  /** The object, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<KubeObject | undefined>;
  watch(resourceVersion: string | undefined, signal: AbortSignal): AsyncIterable<WatchEvent<KubeObject>>;
}

export const restObjectSource = (client: RestClient, plural: string, name: string): ObjectSource => ({
  get: (signal) =>
    client.get(plural, name, { signal }).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }),
  watch: (resourceVersion, signal) => client.watch(plural, { fieldSelector: `metadata.name=${name}`, ...(resourceVersion ? { resourceVersion } : {}), signal }),
});

export interface WaitForOptions {
  /** `role.security.clawbernetes.com/ml-engineer`, for messages. */
  what: string;
  goal: WaitGoal;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

/** The wait ended without the goal: why, in words a person can act on. */
export class WaitError extends Error {
  override name = "WaitError";
}

const QUIET_WATCH_PAUSE_MS = 1000;

export async function waitForObject(source: ObjectSource, opts: WaitForOptions): Promise<void> {
  const abort = new AbortController();
  const { signal } = abort;
  const interrupt = () => abort.abort();
  opts.signal?.addEventListener("abort", interrupt, { once: true });
  let timedOut = false;
  const timer = opts.clock.setTimer(opts.timeoutMs, () => {
    timedOut = true;
    abort.abort();
  });
  let last: WaitVerdict | undefined;
  const judge = (obj: KubeObject | undefined): boolean => (last = judgeWait(opts.goal, obj)).met;
  try {
    while (!signal.aborted) {
      let current: KubeObject | undefined;
      try {
        current = await source.get(signal);
      } catch (err) {
        if (signal.aborted) break;
        throw err;
      }
      if (judge(current)) return;
      // Waiting for a condition of an object that is not there cannot end well (kubectl wait says NotFound too).
      if (!current) throw new WaitError(`${opts.what} not found`);
      let events = 0;
      try {
        for await (const event of source.watch(current.metadata.resourceVersion, signal)) {
          if (event.type === "BOOKMARK") continue;
          events++;
          if (judge(event.type === "DELETED" ? undefined : event.object)) return;
          if (event.type === "DELETED") throw new WaitError(`${opts.what} was deleted while waiting for condition ${opts.goal.type === "condition" ? opts.goal.condition : ""}`);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (!isGone(err)) throw err;
      }
      if (events === 0) await pauseUnlessAborted(opts.clock, QUIET_WATCH_PAUSE_MS, signal);
    }
  } finally {
    timer.cancel();
    opts.signal?.removeEventListener("abort", interrupt);
  }
  const goal = opts.goal.type === "delete" ? "to be deleted" : `for condition ${opts.goal.condition}=${opts.goal.status}`;
  const seen = last && !last.met ? ` (${last.seen})` : "";
  if (timedOut) throw new WaitError(`timed out after ${formatDuration(opts.timeoutMs)} waiting for ${opts.what} ${goal}${seen}; wait longer with --timeout`);
  throw new WaitError(`interrupted while waiting for ${opts.what} ${goal}`);
}
