import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireEtcd } from "../../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../../hack/etcd/etcd-server.js";
import { describeStoreConformance } from "./conformance.js";
import { openEtcdStore } from "./etcd-store.js";
import { RequestTooLargeError, StoreUnavailableError } from "./store.js";
import { recordWatch } from "./watch-recorder.js";

const etcd = requireEtcd();

describe.skipIf(!etcd.available)("etcd store", () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  // One etcd for the file; each case gets its own key namespace.
  describeStoreConformance("etcd", async () => {
    const store = openEtcdStore({ endpoints: server.endpoints, prefix: `/claw-test-${randomUUID()}` });
    return { store, cleanup: () => store.close() };
  });

  const cases: { name: string; run: () => Promise<void> }[] = [
    {
      name: "keeps stores with different prefixes apart",
      async run() {
        const one = openEtcdStore({ endpoints: server.endpoints, prefix: "/one-" + randomUUID() });
        const two = openEtcdStore({ endpoints: server.endpoints, prefix: "/two-" + randomUUID() });
        await one.create("/a", "from one");
        await two.create("/b", "from two");
        expect((await one.list("")).items.map((kv) => kv.key)).toEqual(["/a"]);
        expect(await two.get("/a")).toBeUndefined();
        await Promise.all([one.close(), two.close()]);
      },
    },
    {
      name: "refuses a write over etcd's request limit before sending it, applies none of it, and keeps serving",
      async run() {
        const store = openEtcdStore({ endpoints: server.endpoints, prefix: `/claw-test-${randomUUID()}` });
        // Sent, etcd would refuse it (and past ~2 MiB the client would open its circuit breaker for everyone).
        const half = "x".repeat(900 * 1024);
        const failure = store.txn([], [{ kind: "put", key: "/small", value: "1" }, { kind: "put", key: "/a", value: half }, { kind: "put", key: "/b", value: half }]);
        await expect(failure).rejects.toBeInstanceOf(RequestTooLargeError);
        await expect(store.create("/huge", "x".repeat(3 * 1024 * 1024))).rejects.toBeInstanceOf(RequestTooLargeError);
        expect((await store.list("/")).items).toEqual([]);
        await store.create("/after", "1");
        expect((await store.list("/")).items.map((kv) => kv.key)).toEqual(["/after"]);
        await store.close();
      },
    },
    {
      name: "fails ping with StoreUnavailableError within about two seconds when etcd is unreachable",
      async run() {
        const down = await startEtcd();
        await down.stop();
        const store = openEtcdStore({ endpoints: down.endpoints });
        const started = performance.now();
        await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(performance.now() - started).toBeLessThan(2500);
        await expect(store.get("/a")).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.txn([], [{ kind: "put", key: "/a", value: "1" }])).rejects.toBeInstanceOf(StoreUnavailableError);
        await store.close();
      },
    },
    {
      name: "ends a watch with StoreUnavailableError when etcd goes away",
      async run() {
        const own = await startEtcd();
        const store = openEtcdStore({ endpoints: own.endpoints });
        const first = await store.create("/a", "1");
        const watch = recordWatch(store, { prefix: "/", fromRevision: first.modRevision });
        await watch.untilEvents(1);
        await own.stop();
        expect(await watch.untilError()).toBeInstanceOf(StoreUnavailableError);
        await store.close();
      },
    },
  ];
  for (const testCase of cases) it(testCase.name, testCase.run, 15_000);
});
