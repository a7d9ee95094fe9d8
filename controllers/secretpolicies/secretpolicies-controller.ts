// The secretpolicies controller: gather the SecretPolicy, the Secret it names and that secret's other
// policies from the caches, decide, write the status through /status. A Secret appearing, changing or
// going reconciles the policies naming it; a policy changing reconciles its secret's other policies too,
// since they share one effective rule.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { plural as secretsPlural, type Secret } from "../../api/types/secret.js";
import { plural, type SecretPolicy } from "../../api/types/secret-policy.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { writeStatus } from "../runtime/status-writer.js";
import { decideSecretPolicy } from "./secret-policy-decision.js";

export const SECRETPOLICIES_CONTROLLER = "secretpolicies";
/** Policies filed under the secret name in their spec.secret. */
export const POLICIES_BY_SECRET = "spec.secret";
const FIELD_MANAGER = "claw-secretpolicies-controller";

export interface SecretPoliciesReconcilerOptions {
  policies: Informer<SecretPolicy>;
  secrets: Informer<Secret>;
  client: RestClient;
  clock: Clock;
}

export class SecretPoliciesReconciler implements Reconciler {
  constructor(private readonly opts: SecretPoliciesReconcilerOptions) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const policy = this.opts.policies.get(name);
    const secretName = policy?.spec?.secret;
    const secret = secretName ? this.opts.secrets.get(secretName) : undefined;
    const policies = secretName ? this.opts.policies.byIndex(POLICIES_BY_SECRET, secretName) : [];
    const plan = decideSecretPolicy({ policy, secret, policies }, this.opts.clock.now());
    if (plan.action === "writeStatus" && policy) {
      await writeStatus({ client: this.opts.client, plural, current: policy, status: plan.status, fieldManager: FIELD_MANAGER });
    }
    return {};
  }
}

export function secretPoliciesController(ctx: ManagerContext, opts: { concurrency?: number } = {}): Controller {
  const policies = ctx.informer<SecretPolicy>(plural);
  const secrets = ctx.informer<Secret>(secretsPlural);
  policies.addIndex(POLICIES_BY_SECRET, (p) => (p.spec?.secret ? [p.spec.secret] : []));
  const policiesOf = (secretName: string | undefined) => (secretName ? policies.byIndex(POLICIES_BY_SECRET, secretName).map((p) => p.metadata.name) : []);
  const reconciler = new SecretPoliciesReconciler({ policies, secrets, client: ctx.client, clock: ctx.clock });
  return new Controller({ name: SECRETPOLICIES_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) })
    .watch(policies, (p) => [p.metadata.name, ...policiesOf(p.spec?.secret)])
    .watch(secrets, (s) => policiesOf(s.metadata.name));
}
