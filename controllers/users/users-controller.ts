// The users controller: gather the User and the roles it names from the caches, decide its status, write
// it through /status. A change to a Role reconciles the users that name it.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { plural as rolesPlural, type Role } from "../../api/types/role.js";
import { plural, type User } from "../../api/types/user.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { writeStatus } from "../runtime/status-writer.js";
import { decideUser } from "./user-decision.js";

export const USERS_CONTROLLER = "users";
/** Users filed under each role name in their spec.roles. */
export const USERS_BY_ROLE = "spec.roles";
const FIELD_MANAGER = "claw-users-controller";

export interface UsersReconcilerOptions {
  users: Informer<User>;
  roles: Informer<Role>;
  client: RestClient;
  clock: Clock;
}

export class UsersReconciler implements Reconciler {
  constructor(private readonly opts: UsersReconcilerOptions) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const user = this.opts.users.get(name);
    const roles = new Map<string, Role>();
    for (const roleName of user?.spec?.roles ?? []) {
      const role = this.opts.roles.get(roleName);
      if (role) roles.set(roleName, role);
    }
    const plan = decideUser({ user, roles }, this.opts.clock.now());
    if (plan.action === "writeStatus" && user) {
      await writeStatus({ client: this.opts.client, plural, current: user, status: plan.status, fieldManager: FIELD_MANAGER });
    }
    return {};
  }
}

export function usersController(ctx: ManagerContext, opts: { concurrency?: number } = {}): Controller {
  const users = ctx.informer<User>(plural);
  const roles = ctx.informer<Role>(rolesPlural);
  users.addIndex(USERS_BY_ROLE, (user) => user.spec?.roles ?? []);
  const reconciler = new UsersReconciler({ users, roles, client: ctx.client, clock: ctx.clock });
  return new Controller({ name: USERS_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) })
    .watch(users)
    .watch(roles, (role) => users.byIndex(USERS_BY_ROLE, role.metadata.name).map((u) => u.metadata.name));
}
