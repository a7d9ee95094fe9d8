// The secrets controller in a manager against the real API server (envtest), acting as the in-process
// controllers do (system:controller-manager, authorized by CONTROLLER_RULES alone), on a fake clock shared
// by both: status after create, automatic rotation exactly at nextRotationAt, and a person's value that is
// reported due and never generated.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditReader } from "../../api/audit/audit-reader.js";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock, toRfc3339 } from "../../api/machinery/clock.js";
import type { Secret } from "../../api/types/secret.js";
import { secretsPaths, type SecretHistory } from "../../api/types/secrets-api.js";
import { CONTROLLER_IDENTITY } from "../../cmd/server/controllers.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { findCondition } from "../../api/machinery/conditions.js";
import { Informer } from "../runtime/informer.js";
import { restListWatcher } from "../runtime/list-watcher.js";
import { Manager } from "../runtime/manager.js";
import { objectUntil } from "../runtime/testing/cache-wait.js";
import { silentLogger } from "../runtime/testing/silent-logger.js";
import { DAY_MS } from "./rotation-schedule.js";
import { secretsController } from "./secrets-controller.js";
import { controllerIdentityClient } from "./testing/controller-identity.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: RestClient;
let controllerClient: RestClient;
let manager: Manager;
let secrets: Informer<Secret>;

beforeAll(async () => {
  env = await startEnvTest({ clock, controllerIdentity: true });
  admin = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  controllerClient = controllerIdentityClient(env);
  manager = new Manager({ client: controllerClient, clock, logger: silentLogger(), controllers: [secretsController] });
  manager.start();
  secrets = new Informer<Secret>({ source: restListWatcher<Secret>(admin, "secrets"), clock, logger: silentLogger() });
  secrets.start();
  await secrets.waitForSync();
});
afterAll(async () => {
  await manager?.stop();
  await secrets?.stop();
  await controllerClient?.close();
  await admin?.close();
  await env?.stop();
});

const create = (name: string, spec: Secret["spec"]) => admin.create<Secret>("secrets", { apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name }, spec });
const historyOf = (name: string) => admin.requestJson<SecretHistory>({ method: "GET", path: secretsPaths.history(name) });
const rotatedEntries = async (name: string) => (await new AuditReader(env.audit!.log.batches).query({ types: ["secrets.rotated"], limit: 1000 })).items.filter((e) => e.resource?.name === name);

describe("the secrets controller", () => {
  it("fills the status of a new secret from its sealed version and history", async () => {
    const createdAt = toRfc3339(clock.now());
    await create("plain", { valueFrom: { value: "correct-horse-battery" }, allowedWorkloads: ["api-server"] });
    await objectUntil(secrets, "plain", (s) => s?.status?.currentVersion === 1);
    const status = secrets.get("plain")!.status!;
    expect(status).toMatchObject({ observedGeneration: 1, currentVersion: 1, lastRotatedAt: createdAt, versions: [{ version: 1, createdAt, source: "Value", keyId: expect.any(String) }] });
    expect(status.nextRotationAt).toBeUndefined();
    expect(findCondition(status.conditions, "Ready")).toMatchObject({ status: "True", reason: "ValueSealed" });
    expect(findCondition(status.conditions, "RotationDue")).toBeUndefined();
    expect(JSON.stringify(secrets.get("plain"))).not.toContain("correct-horse-battery");
  });

  it("rotates a generated secret exactly when the clock reaches nextRotationAt, with its generator, as the controllers' identity", async () => {
    const createdMs = clock.now();
    await create("api-token", { valueFrom: { generate: { length: 24, charset: "hex" } }, rotation: { autoRotate: true, intervalDays: 7 } });
    const nextRotationAt = toRfc3339(createdMs + 7 * DAY_MS);
    await objectUntil(secrets, "api-token", (s) => s?.status?.nextRotationAt === nextRotationAt);
    expect(findCondition(secrets.get("api-token")?.status?.conditions, "RotationDue")).toMatchObject({ status: "False", reason: "RotatesAutomatically" });
    await manager.idle();

    clock.step(7 * DAY_MS - 1000);
    await manager.idle();
    expect((await historyOf("api-token")).currentVersion).toBe(1);
    expect(await rotatedEntries("api-token")).toEqual([]);

    clock.step(1000);
    await objectUntil(secrets, "api-token", (s) => s?.status?.currentVersion === 2);
    const history = await historyOf("api-token");
    expect(history.currentVersion).toBe(2);
    expect(history.versions.map((v) => [v.version, v.source, v.actor, v.createdAt])).toEqual([
      [1, "Generated", "admin", toRfc3339(createdMs)],
      [2, "Rotated", CONTROLLER_IDENTITY, nextRotationAt],
    ]);
    expect(history.versions[1]?.generator).toEqual({ length: 24, charset: "hex" });
    const status = secrets.get("api-token")!.status!;
    expect(status).toMatchObject({ currentVersion: 2, lastRotatedAt: nextRotationAt, nextRotationAt: toRfc3339(createdMs + 14 * DAY_MS) });
    expect(status.versions?.map((v) => [v.version, v.source])).toEqual([[1, "Generated"], [2, "Rotated"]]);
    expect((await rotatedEntries("api-token")).map((e) => [e.actor, e.details.version, e.details.source])).toEqual([[CONTROLLER_IDENTITY, 2, "Rotated"]]);
    await manager.idle();
    expect((await historyOf("api-token")).currentVersion).toBe(2);
  });

  it("reports a person's value due with how to rotate it, and never generates one", async () => {
    const createdMs = clock.now();
    await create("smtp-password", { valueFrom: { value: "a-person-chose-this" }, rotation: { autoRotate: true, intervalDays: 1 } });
    await objectUntil(secrets, "smtp-password", (s) => findCondition(s?.status?.conditions, "RotationDue")?.reason === "NotDue");
    expect(secrets.get("smtp-password")?.status?.nextRotationAt).toBe(toRfc3339(createdMs + DAY_MS));
    await manager.idle();

    clock.step(DAY_MS);
    await objectUntil(secrets, "smtp-password", (s) => findCondition(s?.status?.conditions, "RotationDue")?.status === "True");
    expect(findCondition(secrets.get("smtp-password")?.status?.conditions, "RotationDue")).toMatchObject({
      reason: "ManualRotationDue",
      lastTransitionTime: toRfc3339(createdMs + DAY_MS),
      message: expect.stringContaining("claw secrets rotate smtp-password --new-value"),
    });
    clock.step(10 * DAY_MS);
    await manager.idle();
    const history = await historyOf("smtp-password");
    expect(history.versions.map((v) => [v.version, v.source])).toEqual([[1, "Value"]]);
    expect(await rotatedEntries("smtp-password")).toEqual([]);
    expect(secrets.get("smtp-password")?.status?.currentVersion).toBe(1);
  });
});
