import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
const role = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, labels },
  spec: { permissions: ["nodes:read"] },
});
type Event = { type: string; object: { metadata: { name?: string; resourceVersion: string; annotations?: Record<string, string> } } & Record<string, unknown> };

/** Reads newline-delimited events from a streaming response until `count` arrived. */
async function readEvents(r: Response, count: number): Promise<Event[]> {
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  const events: Event[] = [];
  let buf = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)) as Event);
      buf = buf.slice(nl + 1);
    }
  }
  await reader.cancel();
  return events;
}

let env: EnvTest;
let storeWatches = 0;
const clock = new FakeClock();
beforeAll(async () => {
  const store = await openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), "claw-watch-")), "store.db") });
  const counting: Store = { ...bind(store), watch: (p, o) => (storeWatches++, store.watch(p, o)) };
  env = await startEnvTest({ store: counting, clock, bookmarkIntervalMs: 1000 });
});
afterAll(async () => env?.stop());

function bind(store: Store): Store {
  const out = {} as Record<string, unknown>;
  for (const k of ["get", "list", "create", "update", "delete", "txn", "watch", "currentRevision", "compact", "oldestRevision", "ping", "close"] as const)
    out[k] = (store[k] as (...a: unknown[]) => unknown).bind(store);
  return out as unknown as Store;
}

const create = async (name: string, labels: Record<string, string> = {}) =>
  (await (await env.request(ROLES, { method: "POST", json: role(name, labels) })).json()) as { metadata: { resourceVersion: string } };
const mergePatch = (name: string, patch: unknown) =>
  env.request(`${ROLES}/${name}`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify(patch) });

describe("watch", () => {
  it("streams ADDED, MODIFIED and DELETED from a resourceVersion, each carrying its revision", async () => {
    const start = await create("w-a");
    const watch = env.request(`${ROLES}?watch=true&resourceVersion=${start.metadata.resourceVersion}`);
    await mergePatch("w-a", { spec: { description: "one" } });
    await create("w-b");
    await env.request(`${ROLES}/w-a`, { method: "DELETE" });
    const events = await readEvents(await watch, 3);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([["MODIFIED", "w-a"], ["ADDED", "w-b"], ["DELETED", "w-a"]]);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(rvs[0]).toBeGreaterThan(Number(start.metadata.resourceVersion));
  });

  it("resumes from any revision still in history", async () => {
    const first = await create("w-c");
    await create("w-d");
    await create("w-e");
    const events = await readEvents(await env.request(`${ROLES}?watch=true&resourceVersion=${first.metadata.resourceVersion}`), 2);
    expect(events.map((e) => e.object.metadata.name)).toEqual(["w-d", "w-e"]);
  });

  it("starts with the current objects as ADDED when no resourceVersion is given", async () => {
    const events = await readEvents(await env.request(`${ROLES}?watch=true&labelSelector=set%3Dinitial`), 0);
    expect(events).toEqual([]);
    await create("w-init", { set: "initial" });
    const again = await readEvents(await env.request(`${ROLES}?watch=true&labelSelector=set%3Dinitial`), 1);
    expect(again.map((e) => [e.type, e.object.metadata.name])).toEqual([["ADDED", "w-init"]]);
  });

  it("turns a label change out of the selection into DELETED and back into ADDED", async () => {
    const obj = await create("w-sel", { tier: "gold" });
    const watch = env.request(`${ROLES}?watch=true&labelSelector=tier%3Dgold&resourceVersion=${obj.metadata.resourceVersion}`);
    await mergePatch("w-sel", { metadata: { labels: { tier: "silver" } } });
    await mergePatch("w-sel", { metadata: { labels: { tier: "gold" } } });
    const events = await readEvents(await watch, 2);
    expect(events.map((e) => e.type)).toEqual(["DELETED", "ADDED"]);
  });

  it("serves many watchers from one store watch", async () => {
    const before = storeWatches;
    const start = await create("w-many");
    const watchers = await Promise.all(Array.from({ length: 50 }, () => env.request(`${ROLES}?watch=true&resourceVersion=${start.metadata.resourceVersion}`)));
    await create("w-many-2");
    const all = await Promise.all(watchers.map((w) => readEvents(w, 1)));
    expect(all.every((events) => events[0]?.object.metadata.name === "w-many-2")).toBe(true);
    expect(storeWatches - before).toBe(0);
  });

  it("sends BOOKMARKs when allowed, as the clock moves", async () => {
    const start = await create("w-bm");
    const watch = await env.request(`${ROLES}?watch=true&allowWatchBookmarks=true&resourceVersion=${start.metadata.resourceVersion}`);
    clock.step(1000);
    const [event] = await readEvents(watch, 1);
    expect(event?.type).toBe("BOOKMARK");
    expect(Number(event?.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(start.metadata.resourceVersion));
  });

  it("answers 410 Gone as a Status for a compacted revision", async () => {
    const old = await create("w-old");
    await create("w-new");
    await mergePatch("w-old", { spec: { description: "after" } });
    await env.store.compact(Number(old.metadata.resourceVersion) + 1);
    const r = await env.request(`${ROLES}?watch=true&resourceVersion=${Number(old.metadata.resourceVersion) - 1}`);
    expect(r.status).toBe(410);
    expect(await r.json()).toMatchObject({ kind: "Status", code: 410 });
  });
});
