// Checking a second factor against an MFA record, pure: a TOTP code of a step after the last accepted one,
// or an unused recovery code. Wrong codes count toward a lock (MAX_CODE_FAILURES in a row lock the user's
// code checks for LOCK_MS); the caller stores the returned record with compare-and-swap.

import { toRfc3339 } from "../machinery/clock.js";
import type { MfaRecord } from "./mfa-store.js";
import { matchRecoveryCode } from "./mfa-store.js";
import { acceptTotp, isTotpCode } from "./totp.js";

export const MAX_CODE_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;

export type CodeCheck =
  | { ok: true; next: MfaRecord; kind: "totp" | "recovery-code" }
  | { ok: false; next: MfaRecord; lockedNow: boolean };

/** When the record's code checks are locked at `nowMs`, the instant (ms) they open again. */
export function lockedUntilMs(record: MfaRecord, nowMs: number): number | undefined {
  const until = record.lockedUntil ? Date.parse(record.lockedUntil) : NaN;
  return Number.isFinite(until) && nowMs < until ? until : undefined;
}

/**
 * Checks `code` when `proceed` (the password was right); otherwise counts a failure without looking at the
 * code, so a recovery code is never spent on a wrong password.
 */
export function checkCode(opts: { record: MfaRecord; secret: Uint8Array; code: string; nowMs: number; proceed: boolean }): CodeCheck {
  const { record, nowMs } = opts;
  if (opts.proceed) {
    const reset = { failures: 0, lockedUntil: undefined };
    if (isTotpCode(opts.code)) {
      const step = acceptTotp({ secret: opts.secret, code: opts.code, nowMs, ...(record.lastStep !== undefined ? { lastStep: record.lastStep } : {}) });
      if (step !== undefined) return { ok: true, kind: "totp", next: withoutUndefined({ ...record, ...reset, lastStep: step }) };
    } else {
      const i = matchRecoveryCode(record.recoveryCodes, opts.code);
      if (i >= 0) {
        const recoveryCodes = record.recoveryCodes.map((c, j) => (j === i ? { ...c, usedAt: toRfc3339(nowMs) } : c));
        return { ok: true, kind: "recovery-code", next: withoutUndefined({ ...record, ...reset, recoveryCodes }) };
      }
    }
  }
  const failures = record.failures + 1;
  if (failures >= MAX_CODE_FAILURES) return { ok: false, lockedNow: true, next: { ...record, failures: 0, lockedUntil: toRfc3339(nowMs + LOCK_MS) } };
  return { ok: false, lockedNow: false, next: { ...record, failures } };
}

const withoutUndefined = (record: MfaRecord): MfaRecord => JSON.parse(JSON.stringify(record)) as MfaRecord;
