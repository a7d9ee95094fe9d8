// [auth] disable_inactive_after_days: revokes (spec.revoked) an API key unused for longer than N days,
// saying why in an annotation. An ApiKey has no reversible off state, and revocation is final: the owner
// creates a new key. Never the last unrevoked key of the last enabled admin, so an idle cluster does not
// lock everyone out. Off unless the setting is given.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { plural, type ApiKey } from "../../api/types/api-key.js";
import { enabledAdmins, INACTIVE_CREDENTIALS_MANAGER, INACTIVE_REASON_ANNOTATION, inactiveAtMs, isInactive, lastActiveTime } from "../../api/types/credential-activity.js";
import { plural as usersPlural, type User } from "../../api/types/user.js";
import { Controller, type ReconcileRequest, type ReconcileResult } from "../runtime/controller.js";
import type { ControllerFactory, ManagerContext } from "../runtime/manager.js";

export const INACTIVE_APIKEYS_CONTROLLER = "inactive-apikeys";
const KEYS_BY_OWNER = "inactive-apikeys.spec.owner";
const DAY_MS = 86_400_000;

export type KeyInactivityPlan = { action: "none" } | { action: "wait"; untilMs: number } | { action: "revoke"; reason: string };

export interface KeyInactivityInput {
  key: ApiKey | undefined;
  /** The owner's keys, this one included. */
  ownerKeys: readonly ApiKey[];
  /** The enabled users holding the admin role. */
  admins: readonly string[];
}

const usable = (k: ApiKey) => k.spec?.revoked !== true && !k.metadata.deletionTimestamp && k.status?.phase !== "Expired";

/** The first rule that fires wins. Pure. */
export function decideKeyInactivity(input: KeyInactivityInput, opts: { nowMs: number; days: number }): KeyInactivityPlan {
  const { key, ownerKeys, admins } = input;
  const afterMs = opts.days * DAY_MS;
  // Gone, going, revoked or expired: it already authenticates nothing.
  if (!key || !usable(key)) return { action: "none" };
  // Still in use: look again when it would turn inactive.
  if (!isInactive(key, { nowMs: opts.nowMs, afterMs })) {
    const at = inactiveAtMs(key, { afterMs });
    return at === undefined ? { action: "none" } : { action: "wait", untilMs: at + 1 };
  }
  // The last admin's last key stays, or no one could sign in to mint another.
  const owner = key.spec?.owner ?? "";
  if (admins.length === 1 && admins[0] === owner && ownerKeys.filter(usable).length <= 1) return { action: "none" };
  return { action: "revoke", reason: `unused for more than ${opts.days}d (last used: ${lastActiveTime(key) ?? "never"}); revoked by [auth] disable_inactive_after_days` };
}

/** The controller for `[auth] disable_inactive_after_days = days`. */
export function inactiveApiKeysController(opts: { days: number }): ControllerFactory {
  return (ctx: ManagerContext): Controller => {
    const keys = ctx.informer<ApiKey>(plural);
    const users = ctx.informer<User>(usersPlural);
    keys.addIndex(KEYS_BY_OWNER, (k) => (k.spec?.owner ? [k.spec.owner] : []));
    const reconciler = {
      async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
        const now = ctx.clock.now();
        const key = keys.get(name);
        const owner = key?.spec?.owner ?? "";
        const input = { key, ownerKeys: keys.byIndex(KEYS_BY_OWNER, owner), admins: enabledAdmins(users.list()) };
        let plan = decideKeyInactivity(input, { nowMs: now, days: opts.days });
        if (plan.action === "wait") return { requeueAfterMs: plan.untilMs - now };
        // The cache may lag a revocation just made: judge the last admin's last key on fresh lists.
        if (plan.action === "revoke" && input.admins.includes(owner)) {
          const [freshKeys, freshUsers] = await Promise.all([ctx.client.list<ApiKey>(plural), ctx.client.list<User>(usersPlural)]);
          const fresh = { key, ownerKeys: freshKeys.items.filter((k) => k.spec?.owner === owner), admins: enabledAdmins(freshUsers.items) };
          plan = decideKeyInactivity(fresh, { nowMs: now, days: opts.days });
        }
        if (plan.action === "revoke") {
          const patch = { metadata: { annotations: { [INACTIVE_REASON_ANNOTATION]: `${toRfc3339(now)}: ${plan.reason}` } }, spec: { revoked: true } };
          await ctx.client.patch(plural, name, patch, { type: "merge", fieldManager: INACTIVE_CREDENTIALS_MANAGER });
        }
        return {};
      },
    };
    // A user's change can change who the last admin is: look at their keys again.
    return new Controller({ name: INACTIVE_APIKEYS_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, concurrency: 1 })
      .watch(keys)
      .watch(users, (u) => keys.byIndex(KEYS_BY_OWNER, u.metadata.name).map((k) => k.metadata.name));
  };
}
