// `claw wait`: watchUntil (watch-until.ts) with judgeWait, until the goal is met,
// the timeout on the CLI's clock passes, or the command is interrupted (kubectl wait).

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { isNotFound } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { formatDuration } from "../../api/types/duration.js";
import { UsageError } from "./cli-errors.js";
import { watchUntil, type WatchedObject } from "./watch-until.js";

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

export type ObjectSource = WatchedObject<KubeObject>;

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

export async function waitForObject(source: ObjectSource, opts: WaitForOptions): Promise<void> {
  let last: WaitVerdict | undefined;
  const outcome = await watchUntil(
    source,
    (obj, seen) => {
      if ((last = judgeWait(opts.goal, obj)).met) return true;
      // Waiting for a condition of an object that is not there cannot end well (kubectl wait says NotFound too).
      if (seen === "read" && !obj) throw new WaitError(`${opts.what} not found`);
      if (seen === "deleted") throw new WaitError(`${opts.what} was deleted while waiting for condition ${opts.goal.type === "condition" ? opts.goal.condition : ""}`);
      return undefined;
    },
    opts,
  );
  if (outcome.settled) return;
  const goal = opts.goal.type === "delete" ? "to be deleted" : `for condition ${opts.goal.condition}=${opts.goal.status}`;
  const seen = last && !last.met ? ` (${last.seen})` : "";
  if (outcome.timedOut) throw new WaitError(`timed out after ${formatDuration(opts.timeoutMs)} waiting for ${opts.what} ${goal}${seen}; wait longer with --timeout`);
  throw new WaitError(`interrupted while waiting for ${opts.what} ${goal}`);
}
