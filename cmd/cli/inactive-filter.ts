// `claw auth user list` and `claw auth apikey list`: the LAST LOGIN / LAST USED cell and `--inactive 90d`,
// judged by the same rule as [auth] disable_inactive_after_days (api/types/credential-activity.ts).

import { parseDuration } from "../../api/types/duration.js";
import { UsageError } from "./cli-errors.js";
import { ageOf } from "./printers/age.js";

/** `--inactive`'s duration in ms, or undefined when the flag is absent. */
export function parseInactive(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--inactive: "${text}" is not a duration; write a number and a unit d, h, m or s, such as 90d`);
  }
}

/** "never" when the credential was never used, else its age such as 3d. */
export const lastActiveCell = (time: string | undefined, nowMs: number): string => (time === undefined ? "never" : (ageOf(time, nowMs) ?? time));
