import { describe, expect, it } from "vitest";
import { hashRecoveryCode, type MfaRecord } from "./mfa-store.js";
import { checkCode, LOCK_MS, lockedUntilMs, MAX_CODE_FAILURES } from "./mfa-verify.js";
import { acceptTotp, totpCodeAt } from "./totp.js";

const NOW = Date.parse("2026-03-01T08:00:00Z");
const SECRET = new Uint8Array(20).fill(9);
const STEP_NOW = Math.floor(NOW / 30_000);
const record = (over: Partial<MfaRecord> = {}): MfaRecord => ({
  userUid: "u1",
  sealed: { version: 1, keyId: "k", algorithm: "x", nonce: "", ciphertext: "" },
  enabled: true,
  createdAt: "2026-03-01T00:00:00Z",
  recoveryCodes: [{ sha256: hashRecoveryCode("abcd-efgh-ijkl-mnop") }],
  failures: 0,
  ...over,
});

describe("acceptTotp", () => {
  it.each([
    ["accepts the current code", totpCodeAt(SECRET, NOW), undefined, STEP_NOW],
    ["accepts the previous step's code (clock drift)", totpCodeAt(SECRET, NOW - 30_000), undefined, STEP_NOW - 1],
    ["refuses a code two steps old", totpCodeAt(SECRET, NOW - 60_000), undefined, undefined],
    ["refuses a code of the last accepted step", totpCodeAt(SECRET, NOW), STEP_NOW, undefined],
    ["refuses what is not six digits", "12345", undefined, undefined],
  ])("%s", (_name, code, lastStep, expected) => {
    expect(acceptTotp({ secret: SECRET, code, nowMs: NOW, ...(lastStep !== undefined ? { lastStep } : {}) })).toBe(expected);
  });
});

describe("checkCode", () => {
  it("records the accepted step and resets the failures", () => {
    const check = checkCode({ record: record({ failures: 3 }), secret: SECRET, code: totpCodeAt(SECRET, NOW), nowMs: NOW, proceed: true });
    expect(check).toMatchObject({ ok: true, kind: "totp", next: { lastStep: STEP_NOW, failures: 0 } });
  });

  it("marks a recovery code used, whatever its case and dashes", () => {
    const check = checkCode({ record: record(), secret: SECRET, code: "ABCDEFGH-IJKLMNOP", nowMs: NOW, proceed: true });
    expect(check).toMatchObject({ ok: true, kind: "recovery-code" });
    expect(check.next.recoveryCodes[0]!.usedAt).toBe("2026-03-01T08:00:00Z");
    expect(checkCode({ record: check.next, secret: SECRET, code: "abcd-efgh-ijkl-mnop", nowMs: NOW, proceed: true }).ok).toBe(false);
  });

  it("counts a failure without looking at the code when the password was wrong", () => {
    const check = checkCode({ record: record(), secret: SECRET, code: "abcd-efgh-ijkl-mnop", nowMs: NOW, proceed: false });
    expect(check).toMatchObject({ ok: false, next: { failures: 1 } });
    expect(check.next.recoveryCodes[0]!.usedAt).toBeUndefined();
  });

  it(`locks for ${LOCK_MS / 60_000} minutes at the ${MAX_CODE_FAILURES}th failure`, () => {
    const check = checkCode({ record: record({ failures: MAX_CODE_FAILURES - 1 }), secret: SECRET, code: "000000", nowMs: NOW, proceed: true });
    expect(check).toMatchObject({ ok: false, lockedNow: true, next: { failures: 0, lockedUntil: "2026-03-01T08:15:00Z" } });
    expect(lockedUntilMs(check.next, NOW + LOCK_MS - 1)).toBe(NOW + LOCK_MS);
    expect(lockedUntilMs(check.next, NOW + LOCK_MS)).toBeUndefined();
  });
});
