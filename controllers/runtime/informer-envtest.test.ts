// The informer against the real API server (envtest): list then watch, the shared cache, bookmarks, and a
// relist after 410 Gone when the revision it would resume from was compacted away.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock } from "../../api/machinery/clock.js";
import type { Role } from "../../api/types/role.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { Informer } from "./informer.js";
import { restListWatcher } from "./list-watcher.js";
import { cacheUntil, objectUntil } from "./testing/cache-wait.js";
import { ObservedSource } from "./testing/observed-source.js";
import { silentLogger } from "./testing/silent-logger.js";

const role = (name: string, labels: Record<string, string> = {}, permissions = ["nodes:read"]): Role => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, labels },
  spec: { permissions },
});

let env: EnvTest;
let client: RestClient;
const clock = new FakeClock();

beforeAll(async () => {
  env = await startEnvTest({ clock, bookmarkIntervalMs: 1000 });
  client = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
});
const started: Informer<Role>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((i) => i.stop()));
});
afterAll(async () => {
  await client?.close();
  await env?.stop();
});

function informerOf(source: ObservedSource<Role>) {
  const informer = new Informer<Role>({ source, clock, logger: silentLogger() });
  const log: string[] = [];
  informer.addHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (_old, o) => log.push(`update ${o.metadata.name}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return { informer, log };
}

describe("Informer against the API server", () => {
  it("lists, then watches from the list's resourceVersion, keeping its cache and handlers current", async () => {
    await client.create("roles", role("inf-a", { team: "red" }));
    await client.create("roles", role("inf-b", { team: "blue" }));
    const source = new ObservedSource(restListWatcher<Role>(client, "roles"));
    const { informer, log } = informerOf(source);
    started.push(informer);
    informer.addIndex("permission", (r) => r.spec?.permissions ?? []);
    informer.start();
    await informer.waitForSync();
    const listedAt = informer.resourceVersion;
    expect(informer.hasSynced()).toBe(true);
    // The server's default roles are there too; this test looks at its own.
    expect(informer.list().map((r) => r.metadata.name).filter((n) => n.startsWith("inf-"))).toEqual(["inf-a", "inf-b"]);

    await client.create("roles", role("inf-c", { team: "red" }, ["nodes:list"]));
    await client.patch("roles", "inf-a", { spec: { description: "changed" } }, { type: "merge" });
    await client.delete("roles", "inf-b");
    await objectUntil(informer, "inf-b", (o) => o === undefined);

    expect(source.watchedFrom[0]).toBe(listedAt);
    expect(log.filter((l) => l.includes(" inf-"))).toEqual(["add inf-a", "add inf-b", "add inf-c", "update inf-a", "delete inf-b"]);
    expect(informer.get("inf-a")?.spec?.description).toBe("changed");
    expect(informer.byLabel("team=red").map((r) => r.metadata.name)).toEqual(["inf-a", "inf-c"]);
    expect(informer.byIndex("permission", "nodes:list").map((r) => r.metadata.name)).toEqual(["inf-c"]);
    expect(Number(informer.resourceVersion)).toBeGreaterThan(Number(listedAt));
  });

  it("moves its resourceVersion on with the server's bookmarks", async () => {
    const source = new ObservedSource(restListWatcher<Role>(client, "roles"));
    const { informer } = informerOf(source);
    started.push(informer);
    informer.start();
    await informer.waitForSync();
    // Once an event has come through, the watch is open on the server and its bookmark timer set.
    await client.create("roles", role("bookmark-probe"));
    await objectUntil(informer, "bookmark-probe", (o) => o !== undefined);
    // A change to another kind moves the store's revision without any roles event.
    await client.create("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "bookmark-mover" }, spec: {} });
    const revision = await env.store.currentRevision();
    const bookmarked = source.until((events) => events.some((e) => e.type === "BOOKMARK" && Number(e.object.metadata.resourceVersion) >= revision));
    clock.step(1000);
    await bookmarked;
    expect(informer.stats.bookmarks).toBeGreaterThan(0);
    expect(Number(informer.resourceVersion)).toBeGreaterThanOrEqual(revision);
  });

  it("relists on 410 Gone when the revision it resumes from was compacted while it was away", async () => {
    await client.create("roles", role("gone-a"));
    await client.create("roles", role("gone-b"));
    const source = new ObservedSource(restListWatcher<Role>(client, "roles"));
    const { informer, log } = informerOf(source);
    started.push(informer);
    informer.start();
    await informer.waitForSync();
    log.length = 0;
    // The connection drops; while the informer is away, objects change and history is compacted.
    source.close();
    source.cut();
    await client.create("roles", role("gone-c"));
    await client.delete("roles", "gone-a");
    await client.patch("roles", "gone-b", { spec: { description: "while away" } }, { type: "merge" });
    await env.store.compact(await env.store.currentRevision());
    source.open();
    await cacheUntil(informer, () => informer.get("gone-c") !== undefined && informer.get("gone-a") === undefined);

    expect(informer.stats.relistsOnGone).toBe(1);
    expect(source.lists).toBe(2);
    expect(log.sort()).toEqual(["add gone-c", "delete gone-a", "update gone-b"]);
    expect(informer.get("gone-b")?.spec?.description).toBe("while away");
    // And it watches on from the new list: later changes still arrive.
    await client.create("roles", role("gone-d"));
    await objectUntil(informer, "gone-d", (o) => o !== undefined);
  });
});
