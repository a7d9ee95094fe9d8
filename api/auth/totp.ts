// RFC 6238 TOTP as authenticator apps use it (SHA-1, 6 digits, 30 s), through otpauth, with the clock
// passed in. A code is accepted one step either side of now (clock drift) and only for a step later than
// the last one accepted, so a code works once.

import { Secret, TOTP } from "otpauth";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226's recommended shared secret length: 160 bits. */
export const TOTP_SECRET_BYTES = 20;
const ISSUER = "Clawbernetes";

const totpOf = (secret: Uint8Array, label = "claw"): TOTP =>
  new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: new Secret({ buffer: secret.slice().buffer }) });

export const isTotpCode = (code: string): boolean => /^\d{6}$/.test(code);

/** The base32 form an app takes by hand, and the otpauth:// URI its QR code carries. */
export function totpEnrollment(secret: Uint8Array, username: string): { base32: string; uri: string } {
  const totp = totpOf(secret, username);
  return { base32: totp.secret.base32, uri: totp.toString() };
}

/** The code for a time (tests, and nothing else, need to make one). */
export const totpCodeAt = (secret: Uint8Array, nowMs: number): string => totpOf(secret).generate({ timestamp: nowMs });

/** The time step the code belongs to, when it is valid now and later than `lastStep`; undefined otherwise. */
export function acceptTotp(opts: { secret: Uint8Array; code: string; nowMs: number; lastStep?: number }): number | undefined {
  if (!isTotpCode(opts.code)) return undefined;
  const delta = totpOf(opts.secret).validate({ token: opts.code, timestamp: opts.nowMs, window: 1 });
  if (delta === null) return undefined;
  const step = Math.floor(opts.nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
  if (opts.lastStep !== undefined && step <= opts.lastStep) return undefined;
  return step;
}
