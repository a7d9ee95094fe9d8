// The roles controller: gather the Role from the cache, decide its status, write it through /status.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { plural, type Role } from "../../api/types/role.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { writeStatus } from "../runtime/status-writer.js";
import { decideRole } from "./role-decision.js";

export const ROLES_CONTROLLER = "roles";
const FIELD_MANAGER = "claw-roles-controller";

export class RolesReconciler implements Reconciler {
  constructor(private readonly opts: { roles: Informer<Role>; client: RestClient; clock: Clock }) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const role = this.opts.roles.get(name);
    const plan = decideRole({ role }, this.opts.clock.now());
    if (plan.action === "writeStatus" && role) {
      await writeStatus({ client: this.opts.client, plural, current: role, status: plan.status, fieldManager: FIELD_MANAGER });
    }
    return {};
  }
}

export function rolesController(ctx: ManagerContext, opts: { concurrency?: number } = {}): Controller {
  const roles = ctx.informer<Role>(plural);
  const reconciler = new RolesReconciler({ roles, client: ctx.client, clock: ctx.clock });
  return new Controller({ name: ROLES_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) }).watch(roles);
}
