// Authenticates `Authorization: Bearer eyJ…` session tokens: a valid signature and claims, not logged
// out (the jti denylist every server shares through the store), and a user that still exists (same uid),
// is not disabled and whose sessions were not revoked after the token was issued.

import { toRfc3339 } from "../machinery/clock.js";
import { serviceUnavailable, unauthorized } from "../machinery/errors.js";
import type { UserInfo } from "../server/admission.js";
import type { Authenticator } from "../server/authentication.js";
import { AUTHENTICATED_GROUP } from "./api-key-authenticator.js";
import type { IdentityRecords } from "./identity-records.js";
import type { JwtSessions } from "./jwt-sessions.js";

const refuse = (why: string) => unauthorized(`Unauthorized: ${why}`);

/** A compact JWS: three base64url parts, the header starting `eyJ` (`{"`). */
export const looksLikeJwt = (token: string): boolean => token.startsWith("eyJ") && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);

export function jwtAuthenticator(opts: { records: IdentityRecords; sessions: () => JwtSessions | undefined }): Authenticator {
  const { records } = opts;
  return {
    name: "jwt",
    async authenticate(credential): Promise<UserInfo | undefined> {
      if (!credential || !looksLikeJwt(credential.secret)) return undefined;
      const sessions = opts.sessions();
      if (!sessions) throw serviceUnavailable("the server is starting; retry shortly", 1);
      const claims = await sessions.verify(credential.secret);
      const revoked = records.revokedTokens.peek(claims.tokenId) ?? { value: await records.revokedTokens.get(claims.tokenId) };
      if (revoked.value) throw refuse("the session token was logged out; log in again (claw auth login)");
      const user = records.users.peek(claims.username)?.value ?? (await records.users.get(claims.username));
      if (!user || user.uid !== claims.userUid) throw refuse(`user "${claims.username}" no longer exists`);
      if (user.disabled) throw refuse(`user "${claims.username}" is disabled`);
      if (user.sessionsRevokedAtMs !== undefined && claims.issuedAtMs <= user.sessionsRevokedAtMs)
        throw refuse(`the sessions of user "${claims.username}" were revoked at ${toRfc3339(user.sessionsRevokedAtMs)}; log in again`);
      return {
        name: user.name,
        uid: user.uid,
        groups: [AUTHENTICATED_GROUP],
        authentication: {
          method: "jwt",
          tokenId: claims.tokenId,
          tokenExpiresAtMs: claims.expiresAtMs,
          sessionMaxExpiresAtMs: claims.maxExpiresAtMs,
          expiresAt: toRfc3339(claims.expiresAtMs),
          ...(claims.mfa ? { mfa: true } : {}),
        },
      };
    },
  };
}
