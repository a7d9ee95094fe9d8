// Bootstrap tokens on the real embedded store: only the hash is kept, a use is spent once even when joins
// race for it, and a token expired, used up, bound elsewhere or made up is refused.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import { BootstrapTokens } from "./bootstrap-tokens.js";

let dir = "";
let store: SqliteStore;
let clock: FakeClock;
let tokens: BootstrapTokens;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claw-tokens-"));
  store = openSqliteStore({ path: join(dir, "store.db") });
  clock = new FakeClock();
  let seed = 1;
  tokens = new BootstrapTokens({ store, clock, random: (n) => Uint8Array.from({ length: n }, () => (seed = (seed * 197 + 13) % 251)) });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bootstrap tokens", () => {
  it("keeps only the secret's hash in the store", async () => {
    const { token } = await tokens.create({}, "admin");
    const secret = token.split(".")[1]!;
    const stored = (await store.list("/claw/nodes/tokens/")).items.map((kv) => kv.value).join("\n");
    expect(stored).not.toContain(secret);
    expect(stored).toMatch(/"sha256":"[0-9a-f]{64}"/);
  });

  it("spends the last use once when two joins race for it", async () => {
    const { token } = await tokens.create({ uses: 1 }, "admin");
    const results = await Promise.allSettled([tokens.spend(token, "gpu-1"), tokens.spend(token, "gpu-2"), tokens.spend(token, "gpu-3")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await tokens.list()).toEqual([]);
  });

  it("counts uses down and is gone when they are spent", async () => {
    const { token } = await tokens.create({ uses: 2 }, "admin");
    expect((await tokens.spend(token, "gpu-1")).usesLeft).toBe(1);
    expect((await tokens.spend(token, "gpu-2")).usesLeft).toBe(0);
    await expect(tokens.spend(token, "gpu-3")).rejects.toMatchObject({ code: 401 });
  });

  it.each([
    ["expired", async () => (await tokens.create({ ttl: "10m" }, "admin")).token, () => clock.step(10 * 60_000), 401],
    ["with a wrong secret", async () => (await tokens.create({}, "admin")).token.replace(/\.(.)/, (_m, c: string) => `.${c === "A" ? "B" : "A"}`), () => undefined, 401],
    ["malformed", async () => "clbt_short.x", () => undefined, 401],
    ["bound to another node", async () => (await tokens.create({ node: "gpu-9" }, "admin")).token, () => undefined, 403],
  ])("refuses a token %s", async (_what, make, after, code) => {
    const token = await make();
    after();
    await expect(tokens.spend(token, "gpu-1")).rejects.toMatchObject({ code });
  });

  it.each([
    [{ ttl: "60" }, /ttl must be a duration/],
    [{ ttl: "25h" }, /longer than 24h/],
    [{ ttl: "30s" }, /shorter than a minute/],
    [{ uses: 0 }, /uses must be a whole number from 1 to 100/],
    [{ uses: 101 }, /uses must be a whole number from 1 to 100/],
    [{ uses: 1.5 }, /uses must be a whole number/],
    [{ node: "GPU_1" }, /node must be a node name/],
    [{ description: "x".repeat(257) }, /at most 256/],
  ])("refuses to create a token with %j", async (request, message) => {
    await expect(tokens.create(request as never, "admin")).rejects.toThrow(message);
  });
});
