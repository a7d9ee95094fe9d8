// The secretpolicies controller in a manager against the real API server (envtest), as the in-process
// controllers' identity: a policy whose secret is missing says so, becomes Ready with the effective rule
// once the secret is created, follows a sibling policy's deny, and says so again when the secret goes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock } from "../../api/machinery/clock.js";
import type { Secret } from "../../api/types/secret.js";
import type { SecretPolicy } from "../../api/types/secret-policy.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { findCondition } from "../../api/machinery/conditions.js";
import { Informer } from "../runtime/informer.js";
import { restListWatcher } from "../runtime/list-watcher.js";
import { Manager } from "../runtime/manager.js";
import { objectUntil } from "../runtime/testing/cache-wait.js";
import { silentLogger } from "../runtime/testing/silent-logger.js";
import { controllerIdentityClient } from "../secrets/testing/controller-identity.js";
import { secretPoliciesController } from "./secretpolicies-controller.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: RestClient;
let controllerClient: RestClient;
let manager: Manager;
let policies: Informer<SecretPolicy>;

beforeAll(async () => {
  env = await startEnvTest({ clock, controllerIdentity: true });
  admin = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  controllerClient = controllerIdentityClient(env);
  manager = new Manager({ client: controllerClient, clock, logger: silentLogger(), controllers: [secretPoliciesController] });
  manager.start();
  policies = new Informer<SecretPolicy>({ source: restListWatcher<SecretPolicy>(admin, "secretpolicies"), clock, logger: silentLogger() });
  policies.start();
  await policies.waitForSync();
});
afterAll(async () => {
  await manager?.stop();
  await policies?.stop();
  await controllerClient?.close();
  await admin?.close();
  await env?.stop();
});

const meta = (name: string) => ({ apiVersion: "security.clawbernetes.com/v1", metadata: { name } });
const ready = (name: string) => findCondition(policies.get(name)?.status?.conditions, "Ready");

describe("the secretpolicies controller", () => {
  it("says the secret is missing, then shows the effective rule once the secret is created", async () => {
    await admin.create<SecretPolicy>("secretpolicies", {
      ...meta("database-password"),
      kind: "SecretPolicy",
      spec: { secret: "database-password", allowWorkloads: ["api-server", "worker", "migration-job"], allowLabels: { env: "production", team: "backend" }, denyWorkloads: ["debug-container"] },
    });
    await objectUntil(policies, "database-password", (p) => findCondition(p?.status?.conditions, "Ready")?.reason === "SecretNotFound");
    expect(policies.get("database-password")?.status).toMatchObject({ observedGeneration: 1, secretExists: false, effectiveAllowedWorkloads: [] });
    expect(findCondition(policies.get("database-password")?.status?.conditions, "SecretFound")).toMatchObject({
      status: "False",
      message: 'Secret "database-password" does not exist; this policy applies once it is created',
    });

    await admin.create<Secret>("secrets", { ...meta("database-password"), kind: "Secret", spec: { valueFrom: { generate: {} }, allowedWorkloads: ["api-server", "worker"] } });
    await objectUntil(policies, "database-password", (p) => findCondition(p?.status?.conditions, "Ready")?.status === "True");
    expect(policies.get("database-password")?.status).toMatchObject({ secretExists: true, effectiveAllowedWorkloads: ["api-server", "worker", "migration-job"] });
    expect(ready("database-password")).toMatchObject({
      reason: "Applied",
      message: 'applies to Secret "database-password": allow workloads api-server, worker, migration-job; allow labels env=production,team=backend; deny debug-container',
    });
  });

  it("shows a sibling policy's deny in every policy of the secret", async () => {
    await admin.create<SecretPolicy>("secretpolicies", { ...meta("no-worker"), kind: "SecretPolicy", spec: { secret: "database-password", denyWorkloads: ["worker"] } });
    await objectUntil(policies, "database-password", (p) => !p?.status?.effectiveAllowedWorkloads?.includes("worker"));
    expect(policies.get("database-password")?.status?.effectiveAllowedWorkloads).toEqual(["api-server", "migration-job"]);
    expect(ready("database-password")?.message).toMatch(/; deny debug-container, worker$/);
    await objectUntil(policies, "no-worker", (p) => findCondition(p?.status?.conditions, "Ready")?.status === "True");
    expect(policies.get("no-worker")?.status?.effectiveAllowedWorkloads).toEqual(["api-server", "migration-job"]);

    await admin.delete("secretpolicies", "no-worker");
    await objectUntil(policies, "database-password", (p) => p?.status?.effectiveAllowedWorkloads?.includes("worker") === true);
  });

  it("says the secret is missing again once it is deleted", async () => {
    await admin.delete("secrets", "database-password");
    await objectUntil(policies, "database-password", (p) => findCondition(p?.status?.conditions, "Ready")?.reason === "SecretNotFound");
    expect(policies.get("database-password")?.status).toMatchObject({ secretExists: false, effectiveAllowedWorkloads: [] });
  });
});
