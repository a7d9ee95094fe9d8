import { describe, expect, it } from "vitest";
import { isApiError } from "../machinery/errors.js";
import { PasswordHasher, passwordProblem } from "./passwords.js";

const FAST = { N: 2 ** 4, r: 8, p: 1 };
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const meta = { userUid: "u1", setAt: "2026-01-01T00:00:00Z" };

describe("PasswordHasher", () => {
  it("verifies the password it hashed and nothing else", async () => {
    const hasher = new PasswordHasher({ params: FAST, randomBytes: random });
    const record = await hasher.hash("correct horse", meta);
    expect(record).toMatchObject({ algorithm: "scrypt", params: FAST, userUid: "u1" });
    expect(await hasher.verify("correct horse", record)).toBe(true);
    expect(await hasher.verify("correct horsf", record)).toBe(false);
    expect(await hasher.verify("correct horse", undefined)).toBe(false);
  });

  it("salts every hash", async () => {
    const hasher = new PasswordHasher({ params: FAST, randomBytes: random });
    const [a, b] = [await hasher.hash("same", meta), await hasher.hash("same", meta)];
    expect(a.hash).not.toBe(b.hash);
  });

  it("verifies with the parameters stored in the record", async () => {
    const old = await new PasswordHasher({ params: FAST, randomBytes: random }).hash("pw", meta);
    expect(await new PasswordHasher({ params: { N: 2 ** 5, r: 8, p: 1 }, randomBytes: random }).verify("pw", old)).toBe(true);
  });

  it("uses N=2^14, r=8, p=1 by default", () => {
    expect(new PasswordHasher({ randomBytes: random }).params).toEqual({ N: 16384, r: 8, p: 1 });
  });

  it("refuses with 429 when too many hashes wait", async () => {
    const hasher = new PasswordHasher({ params: { N: 2 ** 10, r: 8, p: 1 }, randomBytes: random, maxConcurrent: 1, maxQueued: 1 });
    const results = await Promise.allSettled([hasher.hash("a", meta), hasher.hash("b", meta), hasher.hash("c", meta)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    const reason = (results[2] as PromiseRejectedResult).reason as unknown;
    expect(isApiError(reason) && reason.code).toBe(429);
  });
});

describe("passwordProblem", () => {
  it.each([
    ["seven characters", "1234567", "must be at least 8 characters long"],
    ["eight characters", "12345678", undefined],
    ["four emoji counted as four", "🔑🔑🔑🔑", "must be at least 8 characters long"],
    ["more than 1024 bytes", "x".repeat(1025), "must be at most 1024 bytes long"],
  ])("%s", (_name, password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });
});
