// The apikeys controller: gather the ApiKey from the cache, decide its phase and conditions, write the
// fields it owns through /status (keeping the identity endpoints' fields), and wake at expiry.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { plural, type ApiKey } from "../../api/types/api-key.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { writeStatus } from "../runtime/status-writer.js";
import { API_KEY_STATUS_FIELDS, decideApiKey } from "./api-key-decision.js";

export const APIKEYS_CONTROLLER = "apikeys";
const FIELD_MANAGER = "claw-apikeys-controller";

export class ApiKeysReconciler implements Reconciler {
  constructor(private readonly opts: { apiKeys: Informer<ApiKey>; client: RestClient; clock: Clock }) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const key = this.opts.apiKeys.get(name);
    const plan = decideApiKey({ key }, this.opts.clock.now());
    if (plan.action === "none" || !key) return {};
    await writeStatus({ client: this.opts.client, plural, current: key, status: plan.status, ownedFields: API_KEY_STATUS_FIELDS, fieldManager: FIELD_MANAGER });
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
  }
}

export function apiKeysController(ctx: ManagerContext, opts: { concurrency?: number } = {}): Controller {
  const apiKeys = ctx.informer<ApiKey>(plural);
  const reconciler = new ApiKeysReconciler({ apiKeys, client: ctx.client, clock: ctx.clock });
  return new Controller({ name: APIKEYS_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) }).watch(apiKeys);
}
