// The TLS material follows its watches again after they end (an etcd member went away), from the last revision
// they delivered, so a renewal or revocation made meanwhile is still applied; compaction rereads everything.

import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { CompactedError, StoreUnavailableError, type Store, type WatchEvent, type WatchOptions } from "../store/store.js";
import { ServingMaterial, type Material, type ServingMaterialOptions } from "./serving-material.js";

interface OpenedWatch {
  prefix: string;
  options: WatchOptions;
  closed: boolean;
}

function fixture() {
  const clock = new FakeClock();
  const opened: OpenedWatch[] = [];
  const store = {
    watch: (prefix: string, options: WatchOptions) => {
      const w: OpenedWatch = { prefix, options, closed: false };
      opened.push(w);
      return { close: () => void (w.closed = true) };
    },
    currentRevision: async () => 500,
  } as unknown as Store;
  const opts = { store, clock, logger: pino({ level: "silent" }), certificates: { group: "security.clawbernetes.com", plural: "certificates" } } as unknown as ServingMaterialOptions;
  const material = new ServingMaterial(opts);
  const loads = vi.spyOn(material, "load").mockResolvedValue({} as Material);
  const changes: Material[] = [];
  const errors: Error[] = [];
  material.start(10, (m) => changes.push(m), (err) => errors.push(err));
  const crlWatch = () => opened.filter((w) => w.prefix.includes("crl/")).at(-1)!;
  const crlPut = (revision: number): WatchEvent => ({ type: "put", kv: { key: "crl/x", value: "{}", createRevision: revision, modRevision: revision } });
  return { clock, opened, material, loads, changes, errors, crlWatch, crlPut };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("ServingMaterial.start", () => {
  it("follows a watch that ended again from the revision after the last one it delivered", async () => {
    const f = fixture();
    expect(f.opened.map((w) => w.options.fromRevision)).toEqual([10, 10]);
    f.crlWatch().options.onEvents([f.crlPut(42)]);
    f.crlWatch().options.onError(new StoreUnavailableError("etcd ended the watch stream"));
    expect(f.errors).toHaveLength(1);
    f.clock.step(1000);
    expect(f.crlWatch().options.fromRevision).toBe(43);
    // A CRL published while the watch was away is applied.
    f.crlWatch().options.onEvents([f.crlPut(44)]);
    await settle();
    expect(f.changes).toHaveLength(2);
    f.material.stop();
  });

  it("rereads everything and follows from now when the revision it needs was compacted", async () => {
    const f = fixture();
    f.crlWatch().options.onError(new CompactedError(10, 300));
    f.clock.step(1000);
    await settle();
    expect(f.crlWatch().options.fromRevision).toBe(501);
    await settle();
    expect(f.loads).toHaveBeenCalledTimes(1);
    f.material.stop();
  });

  it("stops following once stopped, even with a resume pending", () => {
    const f = fixture();
    f.crlWatch().options.onError(new StoreUnavailableError("gone"));
    f.material.stop();
    const count = f.opened.length;
    f.clock.step(5000);
    expect(f.opened.length).toBe(count);
    expect(f.opened.every((w) => w.closed || w === f.crlWatch())).toBe(true);
  });
});
