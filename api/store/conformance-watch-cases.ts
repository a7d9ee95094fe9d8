// Conformance cases for watch: history replay, live delivery, prefixes, compaction, close.

import { expect } from "vitest";
import type { ConformanceCase } from "./conformance-case.js";
import type { WatchEvent } from "./store.js";
import { CompactedError } from "./store.js";
import { recordWatch } from "./watch-recorder.js";

const revisionsOf = (events: WatchEvent[]): number[] => events.map((e) => e.kv.modRevision);
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

export const watchCases: ConformanceCase[] = [
  {
    name: "delivers puts and deletes from a revision with their revisions and prevKv",
    async run(store) {
      const created = await store.create("/v/a", "1");
      const updated = await store.update("/v/a", "2", created.modRevision);
      const deleted = await store.delete("/v/a");
      const watch = recordWatch(store, { prefix: "/v/", fromRevision: created.modRevision });
      const events = await watch.untilEvents(3);
      watch.close();
      expect(events).toEqual([
        { type: "put", kv: created },
        { type: "put", kv: updated, prevKv: created },
        { type: "delete", kv: { ...updated, modRevision: deleted.revision } },
      ]);
    },
  },
  {
    name: "resumes a watch from any revision still in history",
    async run(store) {
      const first = await store.create("/v/a", "0");
      let last = first;
      for (let i = 1; i < 5; i++) last = await store.update("/v/a", String(i), last.modRevision);
      const watches = range(first.modRevision, 5).map((from) => ({ from, watch: recordWatch(store, { prefix: "/v/", fromRevision: from }) }));
      for (const { from, watch } of watches) {
        const count = last.modRevision - from + 1;
        expect(revisionsOf(await watch.untilEvents(count))).toEqual(range(from, count));
        watch.close();
      }
    },
  },
  {
    name: "delivers only the keys under the watched prefix",
    async run(store) {
      const from = (await store.currentRevision()) + 1;
      const watch = recordWatch(store, { prefix: "/v/in/", fromRevision: from });
      await store.create("/v/out", "1");
      await store.create("/v/in/a", "1");
      await store.create("/v/inx", "1");
      await store.create("/v/in/b", "1");
      const events = await watch.untilEvents(2);
      watch.close();
      expect(events.map((e) => e.kv.key)).toEqual(["/v/in/a", "/v/in/b"]);
    },
  },
  {
    name: "continues live after replaying history, without gaps or duplicates",
    async run(store) {
      const first = await store.create("/v/0", "0");
      for (let i = 1; i < 10; i++) await store.create(`/v/${i}`, String(i));
      const watch = recordWatch(store, { prefix: "/v/", fromRevision: first.modRevision });
      const more = Promise.all(range(10, 10).map((i) => store.create(`/v/${i}`, String(i))));
      await more;
      const events = await watch.untilEvents(20);
      watch.close();
      expect(revisionsOf(events)).toEqual(range(first.modRevision, 20));
      expect(watch.events).toHaveLength(20);
      for (const batch of watch.batches) expect(revisionsOf(batch)).toEqual([...revisionsOf(batch)].sort((a, b) => a - b));
    },
  },
  {
    name: "delivers events written after a watch from the next revision starts",
    async run(store) {
      const from = (await store.currentRevision()) + 1;
      const watch = recordWatch(store, { prefix: "/v/", fromRevision: from });
      const created = await store.create("/v/a", "1");
      const updated = await store.update("/v/a", "2", created.modRevision);
      expect(await watch.untilEvents(2)).toEqual([
        { type: "put", kv: created },
        { type: "put", kv: updated, prevKv: created },
      ]);
      watch.close();
    },
  },
  {
    name: "fails a watch from a compacted revision with CompactedError",
    async run(store) {
      const created = await store.create("/v/a", "1");
      const updated = await store.update("/v/a", "2", created.modRevision);
      const horizon = (await store.create("/v/b", "1")).modRevision;
      await store.compact(horizon);
      const compacted = recordWatch(store, { prefix: "/v/", fromRevision: updated.modRevision });
      const error = await compacted.untilError();
      expect(error).toBeInstanceOf(CompactedError);
      expect(error).toMatchObject({ requested: updated.modRevision, compactRevision: horizon - 1 });
      const kept = recordWatch(store, { prefix: "/v/", fromRevision: horizon });
      const next = await store.update("/v/a", "3", updated.modRevision);
      expect(revisionsOf(await kept.untilEvents(2))).toEqual([horizon, next.modRevision]);
      kept.close();
    },
  },
  {
    name: "stops delivering events once the watch is closed",
    async run(store) {
      const from = (await store.currentRevision()) + 1;
      const closed = recordWatch(store, { prefix: "/v/", fromRevision: from });
      closed.close();
      const created = await store.create("/v/a", "1");
      const witness = recordWatch(store, { prefix: "/v/", fromRevision: from });
      expect(await witness.untilEvents(1)).toEqual([{ type: "put", kv: created }]);
      witness.close();
      expect(closed.events).toEqual([]);
      expect(closed.error).toBeUndefined();
    },
  },
];
