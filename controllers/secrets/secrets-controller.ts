// The secrets controller: gather the Secret from the cache and its version history from the server (never
// a value), decide, then either rotate a generated value that is due or write the status through /status,
// waking exactly when the next rotation falls due.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { isNotFound } from "../../api/machinery/errors.js";
import { plural, type Secret } from "../../api/types/secret.js";
import { secretsPaths, type RotateRequest, type SecretHistory, type SecretVersionInfo } from "../../api/types/secrets-api.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { writeStatus } from "../runtime/status-writer.js";
import { decideSecret } from "./secret-decision.js";

export const SECRETS_CONTROLLER = "secrets";
const FIELD_MANAGER = "claw-secrets-controller";

export class SecretsReconciler implements Reconciler {
  constructor(private readonly opts: { secrets: Informer<Secret>; client: RestClient; clock: Clock }) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const secret = this.opts.secrets.get(name);
    const live = secret && !secret.metadata.deletionTimestamp;
    const history = live ? await this.history(name) : undefined;
    // Deleted since the cache saw it: its delete event brings the key back.
    if (live && !history) return {};
    const plan = decideSecret({ secret, history }, this.opts.clock.now());
    if (plan.action === "none" || !secret) return {};
    if (plan.action === "retry") throw new Error(plan.reason);
    if (plan.action === "rotate") {
      const body: RotateRequest = { generate: plan.generate };
      await this.opts.client.requestJson<SecretVersionInfo>({ method: "POST", path: secretsPaths.rotate(name), body });
      // Look again at once for the new version's status; the history is read fresh, so it never rotates twice.
      return { requeueAfterMs: 0 };
    }
    await writeStatus({ client: this.opts.client, plural, current: secret, status: plan.status, fieldManager: FIELD_MANAGER });
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
  }

  private async history(name: string): Promise<SecretHistory | undefined> {
    try {
      return await this.opts.client.requestJson<SecretHistory>({ method: "GET", path: secretsPaths.history(name) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

export function secretsController(ctx: ManagerContext, opts: { concurrency?: number } = {}): Controller {
  const secrets = ctx.informer<Secret>(plural);
  const reconciler = new SecretsReconciler({ secrets, client: ctx.client, clock: ctx.clock });
  return new Controller({ name: SECRETS_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) }).watch(secrets);
}
