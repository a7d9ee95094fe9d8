// [auth] disable_inactive_after_days: disables (spec.disabled, reversible) a user with no login and no use
// of any of their API keys for longer than N days, saying why in an annotation; never the last enabled
// admin, so an idle cluster does not lock everyone out. Off unless the setting is given.

import { toRfc3339 } from "../../api/machinery/clock.js";
import type { ApiKey } from "../../api/types/api-key.js";
import { plural as apiKeysPlural } from "../../api/types/api-key.js";
import { ADMIN_ROLE, enabledAdmins, INACTIVE_CREDENTIALS_MANAGER, INACTIVE_REASON_ANNOTATION, inactiveAtMs, isInactive, lastActiveTime } from "../../api/types/credential-activity.js";
import { plural, type User } from "../../api/types/user.js";
import { Controller, type ReconcileRequest, type ReconcileResult } from "../runtime/controller.js";
import type { ControllerFactory, ManagerContext } from "../runtime/manager.js";

export const INACTIVE_USERS_CONTROLLER = "inactive-users";
const KEYS_BY_OWNER = "inactive-users.spec.owner";
const DAY_MS = 86_400_000;

export type InactivityPlan = { action: "none" } | { action: "wait"; untilMs: number } | { action: "disable"; reason: string };

export interface UserInactivityInput {
  user: User | undefined;
  /** The lastUsedTime of the user's API keys. */
  keyTimes: readonly (string | undefined)[];
  /** The enabled users holding the admin role. */
  admins: readonly string[];
}

/** The first rule that fires wins. Pure. */
export function decideUserInactivity(input: UserInactivityInput, opts: { nowMs: number; days: number }): InactivityPlan {
  const { user, keyTimes, admins } = input;
  const afterMs = opts.days * DAY_MS;
  // Gone or going: nothing to disable.
  if (!user || user.metadata.deletionTimestamp) return { action: "none" };
  // Already disabled, by anyone: nothing to do, and enabling again is a person's decision.
  if (user.spec?.disabled === true) return { action: "none" };
  // Still active: look again when it would turn inactive.
  if (!isInactive(user, { nowMs: opts.nowMs, afterMs, alsoActive: keyTimes })) {
    const at = inactiveAtMs(user, { afterMs, alsoActive: keyTimes });
    return at === undefined ? { action: "none" } : { action: "wait", untilMs: at + 1 };
  }
  // The last enabled admin stays, or no one could enable anyone again.
  if (admins.length === 1 && admins[0] === user.metadata.name) return { action: "none" };
  const last = [lastActiveTime(user), ...keyTimes].filter((t): t is string => t !== undefined).sort().at(-1);
  return { action: "disable", reason: `no login or API key use for more than ${opts.days}d (last: ${last ?? "never"}); disabled by [auth] disable_inactive_after_days` };
}

/** The controller for `[auth] disable_inactive_after_days = days`. */
export function inactiveUsersController(opts: { days: number }): ControllerFactory {
  return (ctx: ManagerContext): Controller => {
    const users = ctx.informer<User>(plural);
    const keys = ctx.informer<ApiKey>(apiKeysPlural);
    keys.addIndex(KEYS_BY_OWNER, (k) => (k.spec?.owner ? [k.spec.owner] : []));
    const reconciler = {
      async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
        const now = ctx.clock.now();
        const input = { user: users.get(name), keyTimes: keys.byIndex(KEYS_BY_OWNER, name).map(lastActiveTime), admins: enabledAdmins(users.list()) };
        const plan = decideUserInactivity(input, { nowMs: now, days: opts.days });
        if (plan.action === "wait") return { requeueAfterMs: plan.untilMs - now };
        // The cache may lag a disable just made: judge the last admin on a fresh list (one reconcile at a time).
        if (plan.action === "disable" && (input.user?.spec?.roles ?? []).includes(ADMIN_ROLE)) {
          const fresh = enabledAdmins((await ctx.client.list<User>(plural)).items);
          if (decideUserInactivity({ ...input, admins: fresh }, { nowMs: now, days: opts.days }).action !== "disable") return {};
        }
        if (plan.action === "disable") {
          const patch = { metadata: { annotations: { [INACTIVE_REASON_ANNOTATION]: `${toRfc3339(now)}: ${plan.reason}` } }, spec: { disabled: true } };
          await ctx.client.patch(plural, name, patch, { type: "merge", fieldManager: INACTIVE_CREDENTIALS_MANAGER });
        }
        return {};
      },
    };
    // Any user's change can change who the last admin is; a key's use moves its owner's activity.
    return new Controller({ name: INACTIVE_USERS_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, concurrency: 1 })
      .watch(users)
      .watch(keys, (k) => (k.spec?.owner ? [k.spec.owner] : []));
  };
}
