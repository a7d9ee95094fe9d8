// The blockrules controller: gather the BlockRule from the cache, decide whether it blocks, write the status
// through /status and wake at expiry; once the grace after expiry is over, delete the rule. The delete is
// guarded by the uid and resourceVersion read, so a rule renewed meanwhile (`claw security block` again)
// survives: the 409 retries the key against the renewed rule.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { isNotFound } from "../../api/machinery/errors.js";
import { plural, type BlockRule } from "../../api/types/block-rule.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { writeStatus } from "../runtime/status-writer.js";
import { decideBlockRule } from "./block-rule-decision.js";

export const BLOCKRULES_CONTROLLER = "blockrules";
const FIELD_MANAGER = "claw-blockrules-controller";

export class BlockRulesReconciler implements Reconciler {
  constructor(private readonly opts: { rules: Informer<BlockRule>; client: RestClient; clock: Clock }) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const rule = this.opts.rules.get(name);
    const plan = decideBlockRule({ rule }, this.opts.clock.now());
    if (plan.action === "none" || !rule) return {};
    if (plan.action === "delete") {
      const { uid, resourceVersion } = rule.metadata;
      try {
        await this.opts.client.delete(plural, name, { preconditions: { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) } });
      } catch (err) {
        // Someone deleted it first: the outcome is the same.
        if (!isNotFound(err)) throw err;
      }
      return {};
    }
    await writeStatus({ client: this.opts.client, plural, current: rule, status: plan.status, fieldManager: FIELD_MANAGER });
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
  }
}

export function blockRulesController(ctx: ManagerContext, opts: { concurrency?: number } = {}): Controller {
  const rules = ctx.informer<BlockRule>(plural);
  const reconciler = new BlockRulesReconciler({ rules, client: ctx.client, clock: ctx.clock });
  return new Controller({ name: BLOCKRULES_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) }).watch(rules);
}
