// drained(): a stream that waits for its buffer to drain many times keeps no listeners from the waits before.

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { drained } from "./watch-stream.js";

describe("drained", () => {
  it("removes its close listener when the buffer drains, so 50 waits leave none behind (the fuzz saw 11 on one audit stream)", async () => {
    const out = new Writable({ highWaterMark: 4, write: (_chunk, _enc, callback) => setImmediate(callback) });
    for (let i = 0; i < 50; i++) {
      if (!out.write("0123456789")) await drained(out);
    }
    expect(out.listenerCount("close")).toBe(0);
    expect(out.listenerCount("drain")).toBe(0);
  });

  it("resolves at once for a destroyed stream", async () => {
    const out = new Writable({ write: (_chunk, _enc, callback) => callback() });
    out.destroy();
    await expect(drained(out)).resolves.toBeUndefined();
  });
});
