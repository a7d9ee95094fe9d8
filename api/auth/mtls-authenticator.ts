// mTLS client certificates, verified by the TLS layer against the client CA and its CRLs (a revoked one never
// gets this far). A certificate whose subject organizations hold system:nodes is a node: it authenticates as
// system:node:<CN> with the node role, no User needed. Any other names a person: its common name is the
// username, and that User must exist, be enabled, and be no younger than the certificate: a name is not an
// identity, so a user deleted and created again under the same name does not inherit the certificates
// issued for the earlier one.

import type { IncomingMessage } from "node:http";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { toRfc3339 } from "../machinery/clock.js";
import { unauthorized } from "../machinery/errors.js";
import type { UserInfo } from "../server/admission.js";
import type { Authenticator } from "../server/authentication.js";
import { NODE_ORGANIZATION, NODE_ROLE, NODE_USER_PREFIX } from "../types/pki-api.js";
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
      if (cert && isNodeCertificate(cert)) return nodeIdentity(cert);
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

/** The subject's O values: node's PeerCertificate gives one as a string, several as an array. */
const organizationsOf = (cert: PeerCertificate): string[] => {
  const o = (cert.subject as unknown as Record<string, string | string[] | undefined> | undefined)?.O;
  return o === undefined ? [] : Array.isArray(o) ? o : [o];
};

const isNodeCertificate = (cert: PeerCertificate): boolean => organizationsOf(cert).includes(NODE_ORGANIZATION);

/** DNS label rules for a node name, as Kubernetes node names. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,62}[a-z0-9])?$/;

function nodeIdentity(cert: PeerCertificate): UserInfo {
  const cn = cert.subject?.CN;
  const name = Array.isArray(cn) ? undefined : cn;
  if (typeof name !== "string" || !NODE_NAME.test(name)) throw unauthorized(`Unauthorized: the node certificate's common name ${JSON.stringify(cn ?? "")} is not a node name`);
  return {
    name: `${NODE_USER_PREFIX}${name}`,
    groups: [AUTHENTICATED_GROUP, NODE_ORGANIZATION],
    roles: [NODE_ROLE],
    authentication: { method: "mtls", ...(cert.valid_to ? { expiresAt: new Date(cert.valid_to).toISOString().replace(".000Z", "Z") } : {}) },
  };
}
