// Token buckets: a burst, then the rate; a retry time that is exact; idle sources cost nothing and the map is bounded.

import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./token-buckets.js";

describe("token buckets", () => {
  it("allows the burst at once, then refuses with the time until the next token", () => {
    const b = new TokenBuckets({ rate: 10, burst: 3 });
    expect([0, 0, 0, 0].map(() => b.take("a", 0).ok)).toEqual([true, true, true, false]);
    expect(b.take("a", 0).retryAfterMs).toBe(100);
    expect(b.take("a", 100).ok).toBe(true);
  });

  it("charges a cost in tokens, as compute and bandwidth do", () => {
    const b = new TokenBuckets({ rate: 1000, burst: 1000 });
    expect(b.take("a", 0, 600).ok).toBe(true);
    const refused = b.take("a", 0, 600);
    expect(refused).toEqual({ ok: false, retryAfterMs: 200 });
  });

  it("keeps sources apart, and forgets the least recently seen past its bound", () => {
    const b = new TokenBuckets({ rate: 1, burst: 1, maxKeys: 2 });
    expect(b.take("a", 0).ok).toBe(true);
    expect(b.take("b", 0).ok).toBe(true);
    expect(b.take("c", 0).ok).toBe(true);
    expect(b.size).toBe(2);
    // "a" was forgotten, so it starts again with a full bucket; "c" was not.
    expect(b.take("a", 0).ok).toBe(true);
    expect(b.take("a", 0).ok).toBe(false);
  });
});
