// A resource write and its audit entry commit in ONE store transaction: when that transaction fails the
// client gets 503 and neither the object nor its entry exists; when a write's own compare fails it gets
// 409 and leaves no entry, while the writes batched with it keep theirs.

import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeBatchSource } from "../api/audit/batch-store.js";
import { failingStore } from "../api/audit/testing/failing-store.js";
import { verifyLog } from "../api/client/audit/verify-log.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import { StoreUnavailableError, type Store, type TxnCompare, type TxnOp } from "../api/store/store.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
const role = (name: string, description = "atomic probe") => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name },
  spec: { description, permissions: ["nodes:read"] },
});

/** A store whose txn alone fails when `failTxn` says so for that transaction (reads and other writes pass). */
function txnFailingStore(inner: Store) {
  const wrapper = failingStore(inner) as ReturnType<typeof failingStore> & { failTxn?: (compares: readonly TxnCompare[], ops: readonly TxnOp[]) => boolean; failedTxns: number };
  wrapper.failedTxns = 0;
  wrapper.txn = (compares, ops) => {
    if (wrapper.failing !== "none" || wrapper.failTxn?.(compares, ops)) {
      wrapper.failedTxns++;
      return Promise.reject(new StoreUnavailableError("test: this txn fails"));
    }
    return inner.txn(compares, ops);
  };
  return wrapper;
}

let env: EnvTest;
let store: ReturnType<typeof txnFailingStore>;
const home = mkdtempSync(join(tmpdir(), "claw-atomic-"));

beforeAll(async () => {
  store = txnFailingStore(await openSqliteStore({ path: join(home, "store.db") }));
  // A short checkpoint interval: the recovery probe marks the log healthy again within 200 ms of healing.
  env = await startEnvTest({ store, audit: (c) => void (c.checkpointIntervalMs = 200) });
});
afterAll(async () => {
  await env?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function entries(): Promise<{ type: string; name?: string }[]> {
  const out: { type: string; name?: string }[] = [];
  for await (const record of env.audit!.log.batches.batchesFrom(1)) for (const e of record.entries) out.push({ type: e.type, ...(e.resource?.name ? { name: e.resource.name } : {}) });
  return out;
}
const createdEntries = async (name: string) => (await entries()).filter((e) => e.type === "resource.created" && e.name === name);
const updatedEntries = async (name: string) => (await entries()).filter((e) => e.type === "resource.updated" && e.name === name);
const verify = () => verifyLog(storeBatchSource(env.audit!.log.batches), { trustedKeys: new Map(), checkSignatures: false });

async function untilHealthy(): Promise<void> {
  for (let i = 0; i < 200 && !env.audit!.log.healthy(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(env.audit!.log.healthy()).toBe(true);
}

describe("a resource write commits with its audit entry, or neither does", () => {
  it("answers 503 and leaves neither object nor entry when the transaction fails; a retry then lands both", async () => {
    const name = "atomic-503";
    store.failTxn = (_c, ops) => ops.some((op) => op.key.endsWith(`/roles/${name}`));
    const refused = await env.request(ROLES, { method: "POST", json: role(name) });
    expect(refused.status).toBe(503);
    // The store being out of reach passes by itself: clients (kubectl, client-go, claw) retry after Retry-After.
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await refused.json()) as { reason?: string }).toMatchObject({ reason: "ServiceUnavailable", details: { retryAfterSeconds: 1 } });
    expect(store.failedTxns).toBe(1);
    store.failTxn = undefined;

    await untilHealthy();
    expect((await env.request(`${ROLES}/${name}`)).status).toBe(404);
    expect(await store.get(`/registry/security.clawbernetes.com/roles/${name}`)).toBeUndefined();
    expect(await createdEntries(name)).toEqual([]);
    expect((await verify()).ok).toBe(true);

    const created = await env.request(ROLES, { method: "POST", json: role(name) });
    expect(created.status).toBe(201);
    expect((await env.request(`${ROLES}/${name}`)).status).toBe(200);
    expect(await createdEntries(name)).toHaveLength(1);
    const report = await verify();
    expect(report.ok, JSON.stringify(report.failure)).toBe(true);
  });

  it("answers a stale PUT 409 with no entry while the creates racing it get theirs", async () => {
    const target = "atomic-stale";
    expect((await env.request(ROLES, { method: "POST", json: role(target) })).status).toBe(201);
    const live = (await (await env.request(`${ROLES}/${target}`)).json()) as { metadata: { resourceVersion: string } };
    // Move the object on, so live.metadata.resourceVersion is stale.
    const moved = await env.request(`${ROLES}/${target}`, { method: "PUT", json: { ...role(target, "moved on"), metadata: { name: target, resourceVersion: live.metadata.resourceVersion } } });
    expect(moved.status).toBe(200);
    const updatesBefore = (await updatedEntries(target)).length;
    expect(updatesBefore).toBe(1);

    const names = Array.from({ length: 24 }, (_, i) => `atomic-race-${i}`);
    const [stale, ...creates] = await Promise.all([
      env.request(`${ROLES}/${target}`, { method: "PUT", json: { ...role(target, "stale"), metadata: { name: target, resourceVersion: live.metadata.resourceVersion } } }),
      ...names.map((n) => env.request(ROLES, { method: "POST", json: role(n) })),
    ]);
    expect(stale!.status).toBe(409);
    expect(creates.map((r) => r.status)).toEqual(names.map(() => 201));
    expect((await updatedEntries(target)).length).toBe(updatesBefore);
    const all = await entries();
    for (const n of names) expect(all.filter((e) => e.type === "resource.created" && e.name === n)).toHaveLength(1);
    expect((await verify()).ok).toBe(true);
  });

  it("answers the losers of concurrent PUTs with one resourceVersion 409, with no entry, at the store's compare", async () => {
    // Both PUTs read the same live object, so both pass the resourceVersion check and reach the
    // transaction; only the store's compare can tell them apart.
    await untilHealthy();
    const target = "atomic-cas";
    expect((await env.request(ROLES, { method: "POST", json: role(target) })).status).toBe(201);
    const live = (await (await env.request(`${ROLES}/${target}`)).json()) as { metadata: { resourceVersion: string } };
    const others = Array.from({ length: 8 }, (_, i) => `atomic-cas-other-${i}`);
    const [a, b, ...creates] = await Promise.all([
      env.request(`${ROLES}/${target}`, { method: "PUT", json: { ...role(target, "a"), metadata: { name: target, resourceVersion: live.metadata.resourceVersion } } }),
      env.request(`${ROLES}/${target}`, { method: "PUT", json: { ...role(target, "b"), metadata: { name: target, resourceVersion: live.metadata.resourceVersion } } }),
      ...others.map((n) => env.request(ROLES, { method: "POST", json: role(n) })),
    ]);
    // The bystanders batched with them must not pay for their conflict.
    expect(creates.map((r) => r.status)).toEqual(others.map(() => 201));
    expect([a!.status, b!.status].sort()).toEqual([200, 409]);
    expect(await updatedEntries(target)).toHaveLength(1);
    expect(env.audit!.log.healthy()).toBe(true);
    expect((await verify()).ok).toBe(true);
  });

  it("answers one of two concurrent creates of one name 201 and the other 409, not 503", async () => {
    await untilHealthy();
    const name = "atomic-dup";
    const [x, y, bystander] = await Promise.all([env.request(ROLES, { method: "POST", json: role(name) }), env.request(ROLES, { method: "POST", json: role(name) }), env.request(ROLES, { method: "POST", json: role(`${name}-bystander`) })]);
    expect(bystander!.status).toBe(201);
    expect([x!.status, y!.status].sort()).toEqual([201, 409]);
    expect(await createdEntries(name)).toHaveLength(1);
    expect(env.audit!.log.healthy()).toBe(true);
  });
});
