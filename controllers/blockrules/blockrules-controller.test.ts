// The blockrules controller in a manager against the real API server (envtest), as the in-process
// controllers run (system:controller-manager, authorized by CONTROLLER_RULES alone), on a fake clock shared
// by both: a 1h rule is active, inactive exactly at expiry, and deleted exactly when the grace is over;
// a rule renewed in its grace is kept.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock, toRfc3339 } from "../../api/machinery/clock.js";
import { findCondition } from "../../api/machinery/conditions.js";
import type { BlockRule } from "../../api/types/block-rule.js";
import { blockRuleName } from "../../api/types/guard-api.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { Informer } from "../runtime/informer.js";
import { restListWatcher } from "../runtime/list-watcher.js";
import { Manager } from "../runtime/manager.js";
import { objectUntil } from "../runtime/testing/cache-wait.js";
import { silentLogger } from "../runtime/testing/silent-logger.js";
import { controllerIdentityClient } from "../secrets/testing/controller-identity.js";
import { EXPIRED_RULE_GRACE_MS } from "./block-rule-decision.js";
import { blockRulesController } from "./blockrules-controller.js";

const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: RestClient;
let controllerClient: RestClient;
let manager: Manager;
let rules: Informer<BlockRule>;

beforeAll(async () => {
  // Hour-long clock steps would otherwise fire a watch bookmark per interval on every watch.
  env = await startEnvTest({ clock, controllerIdentity: true, bookmarkIntervalMs: 1000 * HOUR });
  admin = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  controllerClient = controllerIdentityClient(env);
  manager = new Manager({ client: controllerClient, clock, logger: silentLogger(), controllers: [blockRulesController] });
  manager.start();
  rules = new Informer<BlockRule>({ source: restListWatcher<BlockRule>(admin, "blockrules"), clock, logger: silentLogger() });
  rules.start();
  await rules.waitForSync();
});
afterAll(async () => {
  await manager?.stop();
  await rules?.stop();
  await controllerClient?.close();
  await admin?.close();
  await env?.stop();
});

const create = (spec: NonNullable<BlockRule["spec"]>) =>
  admin.create<BlockRule>("blockrules", { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name: blockRuleName(spec.cidr, spec.source ?? "manual") }, spec });

describe("the blockrules controller", () => {
  it("marks a 1h rule active, inactive exactly at expiry, and deletes it exactly when the grace is over", async () => {
    const createdMs = clock.now();
    const expiresAt = toRfc3339(createdMs + HOUR);
    const { metadata } = await create({ cidr: "203.0.113.42", reason: "Suspicious activity", duration: "1h", source: "manual" });
    const { name } = metadata;
    await objectUntil(rules, name, (r) => r?.status?.active === true);
    expect(rules.get(name)?.status).toMatchObject({ active: true, expiresAt, observedGeneration: 1 });
    expect(findCondition(rules.get(name)?.status?.conditions, "Active")).toMatchObject({ status: "True", reason: "Blocking" });
    await manager.idle();

    clock.step(HOUR - 1000);
    await manager.idle();
    expect(rules.get(name)?.status?.active).toBe(true);

    clock.step(1000);
    await objectUntil(rules, name, (r) => r?.status?.active === false);
    expect(findCondition(rules.get(name)?.status?.conditions, "Active")).toMatchObject({ status: "False", reason: "Expired", lastTransitionTime: expiresAt });
    await manager.idle();

    clock.step(EXPIRED_RULE_GRACE_MS - 1000);
    await manager.idle();
    expect(rules.get(name)).toBeDefined();

    clock.step(1000);
    await objectUntil(rules, name, (r) => r === undefined);
  });

  it("deletes an auto rule after its grace too", async () => {
    const { metadata } = await create({ cidr: "198.51.100.7", reason: "auto-block: 5 violations in 60s", duration: "30m", source: "auto" });
    await objectUntil(rules, metadata.name, (r) => r?.status?.active === true);
    await manager.idle();
    clock.step(30 * 60_000);
    await objectUntil(rules, metadata.name, (r) => r?.status?.active === false);
    await manager.idle();
    clock.step(EXPIRED_RULE_GRACE_MS);
    await objectUntil(rules, metadata.name, (r) => r === undefined);
  });

  it("keeps a rule renewed during its grace, blocking again until the new expiry", async () => {
    const { metadata } = await create({ cidr: "2001:db8::/32", reason: "scanner", expiresAt: toRfc3339(clock.now() + HOUR), source: "manual" });
    const name = metadata.name;
    await objectUntil(rules, name, (r) => r?.status?.active === true);
    await manager.idle();
    clock.step(HOUR);
    await objectUntil(rules, name, (r) => r?.status?.active === false);
    await manager.idle();

    const renewedUntil = toRfc3339(clock.now() + 3 * HOUR);
    const current = await admin.get<BlockRule>("blockrules", name);
    await admin.update<BlockRule>("blockrules", { ...current, spec: { ...current.spec!, expiresAt: renewedUntil } });
    await objectUntil(rules, name, (r) => r?.status?.active === true && r.status.observedGeneration === 2);
    expect(rules.get(name)?.status?.expiresAt).toBe(renewedUntil);
    await manager.idle();

    clock.step(EXPIRED_RULE_GRACE_MS);
    await manager.idle();
    expect(rules.get(name)?.status?.active).toBe(true);
  });
});
