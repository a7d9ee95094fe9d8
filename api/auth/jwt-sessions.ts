// Session tokens: HS256 JWTs signed and verified with jose. Only HS256 with our secret is accepted (alg
// none and RS/HS confusion are refused by the algorithm allow-list), with our issuer, inside nbf..exp.
// `max_exp` carries the session's hard limit (login time + max_expiry_hours) so refreshes never pass it.

import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import { ApiError, unauthorized } from "../machinery/errors.js";
import { base62 } from "./api-key-secret.js";
import type { JwtConfig } from "./auth-config.js";

export const MAX_EXP_CLAIM = "max_exp";
/** The User object's uid: a user deleted and created again under the same name does not inherit sessions. */
export const USER_UID_CLAIM = "uid";
/** true when the login proved a second factor (TOTP or a recovery code). */
export const MFA_CLAIM = "mfa";
const HOUR_MS = 3_600_000;
/** Tolerance for a not-before time a little ahead of this server's clock (servers sharing a store). */
const NBF_SKEW_SECONDS = 5;

export interface SessionClaims {
  username: string;
  userUid: string;
  tokenId: string;
  issuedAtMs: number;
  expiresAtMs: number;
  maxExpiresAtMs: number;
  mfa?: boolean;
}

export interface IssuedToken {
  token: string;
  claims: SessionClaims;
}

const refuse = (why: string) => unauthorized(`Unauthorized: ${why}`);

export class JwtSessions {
  constructor(
    private readonly opts: { config: JwtConfig; secret: Uint8Array; clock: Clock; randomBytes: (n: number) => Uint8Array },
  ) {}

  get config(): JwtConfig {
    return this.opts.config;
  }

  /** Hours a login asks for, defaulted and capped by the config; 400 for a value that is not positive. */
  expiryHours(requested: number | undefined): number {
    if (requested === undefined) return this.opts.config.defaultExpiryHours;
    if (typeof requested !== "number" || !Number.isFinite(requested) || requested <= 0)
      throw new ApiError(400, "BadRequest", `expiryHours must be a positive number of hours, not ${JSON.stringify(requested)}`);
    return Math.min(requested, this.opts.config.maxExpiryHours);
  }

  /** A new token for a session; `maxExpiresAtMs` is the session's limit (a new login when absent). */
  async issue(opts: { username: string; userUid: string; expiryHours: number; maxExpiresAtMs?: number; mfa?: boolean }): Promise<IssuedToken> {
    const nowSec = Math.floor(this.opts.clock.now() / 1000);
    const maxSec = opts.maxExpiresAtMs !== undefined ? Math.floor(opts.maxExpiresAtMs / 1000) : nowSec + Math.floor((this.opts.config.maxExpiryHours * HOUR_MS) / 1000);
    const expSec = Math.min(nowSec + Math.floor((opts.expiryHours * HOUR_MS) / 1000), maxSec);
    const tokenId = base62(this.opts.randomBytes, 22);
    const token = await new SignJWT({ [MAX_EXP_CLAIM]: maxSec, [USER_UID_CLAIM]: opts.userUid, ...(opts.mfa ? { [MFA_CLAIM]: true } : {}) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(this.opts.config.issuer)
      .setSubject(opts.username)
      .setJti(tokenId)
      .setIssuedAt(nowSec)
      .setNotBefore(nowSec)
      .setExpirationTime(expSec)
      .sign(this.opts.secret);
    return { token, claims: { username: opts.username, userUid: opts.userUid, tokenId, issuedAtMs: nowSec * 1000, expiresAtMs: expSec * 1000, maxExpiresAtMs: maxSec * 1000, ...(opts.mfa ? { mfa: true } : {}) } };
  }

  /** The claims of a token this server family issued and that is valid now; 401 saying why otherwise. */
  async verify(token: string): Promise<SessionClaims> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.opts.secret, {
        algorithms: ["HS256"],
        issuer: this.opts.config.issuer,
        requiredClaims: ["sub", "jti", "iat", "exp"],
        currentDate: new Date(this.opts.clock.now()),
        clockTolerance: NBF_SKEW_SECONDS,
      }));
    } catch (err) {
      throw refuse(reasonOf(err));
    }
    const expiresAtMs = Number(payload.exp) * 1000;
    // Exactly at exp, not NBF_SKEW_SECONDS later.
    if (this.opts.clock.now() >= expiresAtMs) throw refuse(`the session token expired at ${toRfc3339(expiresAtMs)}; log in again (claw auth login)`);
    const max = payload[MAX_EXP_CLAIM];
    const uid = payload[USER_UID_CLAIM];
    if (typeof payload.sub !== "string" || typeof payload.jti !== "string" || typeof max !== "number" || typeof uid !== "string")
      throw refuse("the session token presented is not valid");
    return { username: payload.sub, userUid: uid, tokenId: payload.jti, issuedAtMs: Number(payload.iat) * 1000, expiresAtMs, maxExpiresAtMs: max * 1000, ...(payload[MFA_CLAIM] === true ? { mfa: true } : {}) };
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return "the session token has expired; log in again (claw auth login)";
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return "the session token is not signed with HS256, the only algorithm this server accepts";
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "the session token is not valid yet (nbf is in the future)";
    if (err.claim === "iss") return "the session token was issued by another issuer";
    return `the session token is not valid (${err.claim} claim)`;
  }
  return "the session token presented is not valid";
}
