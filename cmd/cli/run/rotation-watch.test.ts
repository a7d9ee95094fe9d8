import { describe, expect, it } from "vitest";
import type { RestClient } from "../../../api/client/rest-client.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import type { Secret } from "../../../api/types/secret.js";
import { RotationWatch } from "./rotation-watch.js";

const secret = (name: string, version: number): Secret => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name }, spec: { sealed: { version, keyId: "k", algorithm: "chacha20-poly1305", nonce: "", ciphertext: "" } } });

/** A watch per call: each a list of events, or an error to throw; the last one stays open until aborted. */
function clientOf(streams: (Secret[] | Error)[]): { client: RestClient; selectors: string[] } {
  const selectors: string[] = [];
  const client = {
    async *watch(_plural: string, opts: { fieldSelector?: string; signal?: AbortSignal }) {
      selectors.push(opts.fieldSelector ?? "");
      const next = streams.shift();
      if (next instanceof Error) throw next;
      for (const object of next ?? []) yield { type: "MODIFIED" as const, object };
      if (streams.length === 0) await new Promise((resolve) => opts.signal?.addEventListener("abort", resolve));
    },
  };
  return { client: client as unknown as RestClient, selectors };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("RotationWatch", () => {
  it("wakes for a newer version only, and not again once it is acknowledged", async () => {
    const { client, selectors } = clientOf([[secret("db", 1), secret("db", 2), secret("db", 2)]]);
    const watch = new RotationWatch({ client, clock: new FakeClock(), versions: new Map([["db", 1]]), onProblem: () => {} });
    watch.start();
    await watch.next();
    watch.acknowledge(new Map([["db", 2]]));
    let woke = false;
    void watch.next().then(() => (woke = true));
    await settle();
    expect(woke).toBe(false);
    expect(selectors).toEqual(["metadata.name=db"]);
    watch.stop();
  });

  it("reports a broken watch once and tries again after the backoff on its clock", async () => {
    const clock = new FakeClock();
    const problems: unknown[] = [];
    const { client, selectors } = clientOf([new Error("connection refused"), new Error("connection refused"), [secret("db", 3)]]);
    const watch = new RotationWatch({ client, clock, versions: new Map([["db", 1]]), onProblem: (p) => problems.push(p.error) });
    let woke = false;
    void watch.next().then(() => (woke = true));
    watch.start();
    await settle();
    expect(selectors).toHaveLength(1);
    clock.step(1_000);
    await settle();
    expect(selectors).toHaveLength(2);
    clock.step(1_999);
    await settle();
    expect(selectors).toHaveLength(2);
    clock.step(1);
    await settle();
    expect(selectors).toHaveLength(3);
    expect(woke).toBe(true);
    expect(problems).toHaveLength(1);
    watch.stop();
  });
});
