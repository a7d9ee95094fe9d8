import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireEtcd } from "../../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../../hack/etcd/etcd-server.js";
import { describeStoreConformance } from "./conformance.js";
import { openEtcdStore } from "./etcd-store.js";
import { StoreUnavailableError } from "./store.js";
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
      name: "refuses a txn over etcd's 1.5 MiB request limit and applies none of it",
      async run() {
        const store = openEtcdStore({ endpoints: server.endpoints, prefix: `/claw-test-${randomUUID()}` });
        // Between --max-request-bytes and the 2 MiB gRPC frame limit: etcd answers InvalidArgument.
        const half = "x".repeat(900 * 1024);
        const failure = store.txn([], [{ kind: "put", key: "/small", value: "1" }, { kind: "put", key: "/a", value: half }, { kind: "put", key: "/b", value: half }]);
        await expect(failure).rejects.toThrow(/request is too large/);
        expect((await store.list("/")).items).toEqual([]);
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
