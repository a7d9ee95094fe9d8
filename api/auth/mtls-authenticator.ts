// The slot for mTLS client certificates (node identity): when the TLS layer verified a client certificate
// against the configured client CA, its subject names the user. The PKI issue decides the mapping; until
// then the certificate's common name is the username, and that User must exist, be enabled, and be no
// younger than the certificate: a name is not an identity, so a user deleted and created again under the
// same name does not inherit the certificates issued for the earlier one.

import type { IncomingMessage } from "node:http";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { toRfc3339 } from "../machinery/clock.js";
import { unauthorized } from "../machinery/errors.js";
import type { UserInfo } from "../server/admission.js";
import type { Authenticator } from "../server/authentication.js";
import { AUTHENTICATED_GROUP } from "./api-key-authenticator.js";
import type { IdentityRecords } from "./identity-records.js";

/** The username a verified certificate stands for, or undefined to ignore it. */
export type CertificateIdentity = (cert: PeerCertificate) => string | undefined;

/** Issuers backdate notBefore for clock skew (our PKI by a minute, others by up to five). */
const BACKDATING_MS = 5 * 60_000;

export const commonNameIdentity: CertificateIdentity = (cert) => {
  const cn = cert.subject?.CN;
  return typeof cn === "string" && cn !== "" ? cn : undefined;
};

/** The verified peer certificate of a request, if any. */
export function verifiedPeerCertificate(req: IncomingMessage): PeerCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== "function" || socket.authorized !== true) return undefined;
  const cert = socket.getPeerCertificate();
  return cert && Object.keys(cert).length > 0 ? cert : undefined;
}

export function mtlsAuthenticator(opts: { records: IdentityRecords; identify?: CertificateIdentity }): Authenticator {
  const identify = opts.identify ?? commonNameIdentity;
  return {
    name: "mtls",
    async authenticate(credential, req): Promise<UserInfo | undefined> {
      // A header credential speaks for itself; the certificate is used only without one.
      if (credential) return undefined;
      const cert = verifiedPeerCertificate(req);
      const username = cert ? identify(cert) : undefined;
      if (!username) return undefined;
      const user = await opts.records.users.get(username);
      if (!user) throw unauthorized(`Unauthorized: the client certificate names user "${username}", who does not exist`);
      if (user.disabled) throw unauthorized(`Unauthorized: user "${username}" is disabled`);
      const issuedAtMs = Date.parse(cert?.valid_from ?? "");
      if (!Number.isFinite(issuedAtMs)) throw unauthorized(`Unauthorized: the client certificate for user "${username}" has no readable notBefore`);
      if (!(issuedAtMs >= user.createdAtMs - BACKDATING_MS))
        throw unauthorized(
          `Unauthorized: the client certificate for user "${username}" was issued at ${toRfc3339(issuedAtMs)}, before that user was created, so for an earlier user of that name; issue a new certificate`,
        );
      return {
        name: user.name,
        uid: user.uid,
        groups: [AUTHENTICATED_GROUP],
        authentication: { method: "mtls", ...(cert?.valid_to ? { expiresAt: new Date(cert.valid_to).toISOString().replace(".000Z", "Z") } : {}) },
      };
    },
  };
}
