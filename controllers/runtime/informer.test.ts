// The informer's loop against a scripted source: backoff on errors, resuming from bookmarks, relisting
// on 410 Gone, and surviving handlers that throw. (informer-envtest.test.ts runs it against the server.)

import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../../api/client/api-types.js";
import { FakeClock } from "../../api/machinery/clock.js";
import { gone } from "../../api/machinery/errors.js";
import type { KubeList } from "../../api/machinery/meta.js";
import type { Role } from "../../api/types/role.js";
import { Informer } from "./informer.js";
import type { ListWatcher } from "./list-watcher.js";
import { flush } from "./testing/deferred.js";
import { silentLogger } from "./testing/silent-logger.js";

const role = (name: string, rv: string): Role => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name, resourceVersion: rv }, spec: { permissions: ["nodes:read"] } });
const list = (rv: string, ...items: Role[]): KubeList<Role> => ({ apiVersion: "security.clawbernetes.com/v1", kind: "RoleList", metadata: { resourceVersion: rv }, items });
const bookmark = (rv: string): WatchEvent<Role> => ({ type: "BOOKMARK", object: { metadata: { resourceVersion: rv } } });

type WatchStep = WatchEvent<Role>[] | Error | "hang";

/** A source that answers lists and watches from scripts, recording when it was asked. */
class ScriptedSource implements ListWatcher<Role> {
  readonly resource = "roles";
  readonly listedAt: number[] = [];
  readonly watched: { from: string; at: number }[] = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly lists: (KubeList<Role> | Error)[],
    private readonly watches: WatchStep[],
  ) {}

  async list(): Promise<KubeList<Role>> {
    this.listedAt.push(this.clock.now());
    const next = this.lists.length > 1 ? this.lists.shift()! : this.lists[0]!;
    if (next instanceof Error) throw next;
    return next;
  }

  async *watch({ resourceVersion, signal }: { resourceVersion: string; signal: AbortSignal }): AsyncGenerator<WatchEvent<Role>> {
    this.watched.push({ from: resourceVersion, at: this.clock.now() });
    const step = this.watches.shift() ?? "hang";
    if (step === "hang") {
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      return;
    }
    if (step instanceof Error) throw step;
    yield* step;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await flush();
}

function start(lists: (KubeList<Role> | Error)[], watches: WatchStep[]) {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, lists, watches);
  const informer = new Informer<Role>({ source, clock, logger: silentLogger(), backoff: { baseMs: 100, maxMs: 400 } });
  const log: string[] = [];
  informer.addHandler({ onAdd: (o) => log.push(`add ${o.metadata.name}`), onUpdate: (_o, n) => log.push(`update ${n.metadata.name}`), onDelete: (o) => log.push(`delete ${o.metadata.name}`) });
  informer.start();
  return { clock, source, informer, log, t0: clock.now() };
}

describe("Informer", () => {
  it("reconnects after watch errors with capped exponential backoff, resuming from its revision without relisting", async () => {
    const refused = new Error("connect ECONNREFUSED 127.0.0.1:6443");
    const { clock, source, informer, t0 } = start([list("10", role("a", "5"))], [refused, refused, refused, refused, refused]);
    await settle();
    for (let i = 0; i < 800; i++) {
      clock.step(10);
      await settle();
    }
    expect(source.watched.map((w) => w.at - t0)).toEqual([0, 100, 300, 700, 1100, 1500]);
    expect(source.watched.every((w) => w.from === "10")).toBe(true);
    expect(source.listedAt).toHaveLength(1);
    expect(informer.stats.reconnects).toBe(5);
    await informer.stop();
  });

  it("retries a failed first list with backoff and syncs once it succeeds", async () => {
    const { clock, source, informer, t0 } = start([new Error("503 ServiceUnavailable"), new Error("503 ServiceUnavailable"), list("3", role("a", "2"))], []);
    await settle();
    expect(informer.hasSynced()).toBe(false);
    clock.step(100);
    await settle();
    clock.step(200);
    await settle();
    await informer.waitForSync();
    expect(source.listedAt.map((t) => t - t0)).toEqual([0, 100, 300]);
    expect(informer.get("a")?.metadata.resourceVersion).toBe("2");
    await informer.stop();
  });

  it("resumes from the revision of the last bookmark", async () => {
    const { clock, source, informer } = start([list("10")], [[bookmark("15"), bookmark("42")], new Error("stream reset")]);
    await settle();
    clock.step(100);
    await settle();
    expect(source.watched.map((w) => w.from)).toEqual(["10", "42", "42"]);
    expect(informer.stats.bookmarks).toBe(2);
    await informer.stop();
  });

  it("relists at once on 410 Gone and reports what changed meanwhile", async () => {
    const { source, informer, log } = start(
      [list("10", role("a", "5"), role("b", "6")), list("30", role("b", "25"), role("c", "28"))],
      [[{ type: "ADDED", object: role("z", "11") }], gone("too old resource version: 11")],
    );
    await settle();
    expect(log).toEqual(["add a", "add b", "add z", "add c", "update b", "delete a", "delete z"]);
    expect(informer.list().map((r) => r.metadata.name)).toEqual(["b", "c"]);
    expect(informer.stats.relistsOnGone).toBe(1);
    expect(source.watched.map((w) => w.from)).toEqual(["10", "11", "30"]);
    await informer.stop();
  });

  it("watches again at once when the server ends a watch that carried events", async () => {
    const { source, informer } = start([list("10")], [[{ type: "ADDED", object: role("a", "11") }], [bookmark("12")]]);
    await settle();
    expect(source.watched.map((w) => w.from)).toEqual(["10", "11", "12"]);
    await informer.stop();
  });

  it("backs off when watches keep ending without a word", async () => {
    const { clock, source, informer, t0 } = start([list("10")], [[], [], []]);
    await settle();
    expect(source.watched).toHaveLength(2);
    clock.step(100);
    await settle();
    expect(source.watched.map((w) => w.at - t0)).toEqual([0, 0, 100]);
    await informer.stop();
  });

  it("goes on when a handler throws", async () => {
    const { informer, log } = start([list("10", role("a", "5"))], [[{ type: "ADDED", object: role("b", "11") }]]);
    informer.addHandler({ onAdd: () => { throw new Error("handler bug"); } });
    await settle();
    expect(log).toEqual(["add a", "add b"]);
    expect(informer.get("b")).toBeDefined();
    await informer.stop();
  });

  it("treats an ADDED of an object it holds as an update, and a DELETED of one it lacks as nothing", async () => {
    const { informer, log } = start([list("10", role("a", "5"))], [[{ type: "ADDED", object: role("a", "11") }, { type: "DELETED", object: role("q", "12") }]]);
    await settle();
    expect(log).toEqual(["add a", "update a"]);
    expect(informer.resourceVersion).toBe("12");
    await informer.stop();
  });

  it("tells a handler added later about the objects already cached", async () => {
    const { informer } = start([list("10", role("a", "5"), role("b", "6"))], []);
        await informer.waitForSync();
    const seen: string[] = [];
    informer.addHandler({ onAdd: (o) => seen.push(o.metadata.name) });
    expect(seen).toEqual(["a", "b"]);
    await informer.stop();
  });

  it("rejects waitForSync when stopped before its first list", async () => {
    const { informer } = start([new Error("503")], []);
    const waiting = informer.waitForSync();
    await informer.stop();
    await expect(waiting).rejects.toThrow("the roles informer stopped before its first list");
  });
});
