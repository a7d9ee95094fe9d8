import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { forwardSignals } from "./signal-forwarding.js";

function setup() {
  const source = new EventEmitter();
  const abort = new AbortController();
  const sent: string[] = [];
  const stop = forwardSignals({ source, abort: abort.signal, send: (s) => sent.push(s) });
  return { source, abort, sent, stop };
}

describe("forwardSignals", () => {
  it.each([
    { name: "passes SIGTERM and SIGHUP on", emit: ["SIGTERM", "SIGHUP"], abort: false, want: ["SIGTERM", "SIGHUP"] },
    { name: "passes an abort (the entry point's Ctrl-C) on as SIGINT", emit: [], abort: true, want: ["SIGINT"] },
    { name: "sends one Ctrl-C once when it arrives both as an abort and as SIGINT in the same tick", emit: ["SIGINT"], abort: true, want: ["SIGINT"] },
  ])("$name", ({ emit, abort, want }) => {
    const t = setup();
    if (abort) t.abort.abort();
    for (const s of emit) t.source.emit(s);
    expect(t.sent).toEqual(want);
  });

  it("passes a second Ctrl-C on too", async () => {
    const t = setup();
    t.source.emit("SIGINT");
    await Promise.resolve();
    t.source.emit("SIGINT");
    expect(t.sent).toEqual(["SIGINT", "SIGINT"]);
  });

  it("stops listening when stopped", () => {
    const t = setup();
    t.stop();
    t.source.emit("SIGTERM");
    t.abort.abort();
    expect(t.sent).toEqual([]);
    expect(t.source.listenerCount("SIGTERM")).toBe(0);
  });
});
