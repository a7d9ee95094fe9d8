// The PKI API's imperative endpoints and names, shared by the server (api/pki), the certificates
// controllers and the CLI (`claw pki`). Certificates themselves are ordinary resources; these endpoints
// exist where a declarative write cannot serve: signing (the CA key never leaves the server), fetching a
// private key (audited), forcing a renewal, revoking, and the published CRLs. Bodies are JSON; errors are
// Status objects.

import { SECURITY_API } from "./auth-api.js";
import type { CertificateRevocationReason } from "./certificate.js";

const certificatePath = (name: string, sub: string) => `${SECURITY_API}/certificates/${encodeURIComponent(name)}/${sub}`;

export const pkiPaths = {
  /**
   * POST IssueRequest → the Certificate as written. Makes (or, with rotationPolicy Never, keeps) the private key,
   * signs with the issuer CA's key, seals the key in the store, and writes status (certificate, chain, serial,
   * dates, renewalTime, revision, Issuing=False/Issued) with the audit entry certificates.issued (revision 1) or
   * certificates.renewed. 409 when the issuer is missing, not a CA, not issued yet, revoked or expired, or the
   * certificate is revoked. Needs certificates:admin (the in-process controllers hold certificates/issue create).
   */
  issue: (name: string) => certificatePath(name, "issue"),
  /** POST (no body) → the Certificate: sets Issuing=True, reason ManuallyTriggered, so the controllers renew it now. Needs certificates:update. */
  renew: (name: string) => certificatePath(name, "renew"),
  /** POST RevokeRequest → the Certificate: spec.revoked true; its serial is on the issuer's CRL when this returns. Needs certificates:update. Audited as certificates.revoked. */
  revoke: (name: string) => certificatePath(name, "revoke"),
  /** POST (no body) → CertificateKeyPair, with the private key. Needs certificates:admin. Audited as certificates.keyaccessed. */
  privateKey: (name: string) => certificatePath(name, "privatekey"),
  /** GET, no credentials needed: the CA's current CRL, DER (application/pkix-crl). */
  crlDer: (caName: string) => `/pki/crl/${encodeURIComponent(caName)}.crl`,
  /** GET, no credentials needed: the CA's current CRL, PEM (application/x-pem-file). */
  crlPem: (caName: string) => `/pki/crl/${encodeURIComponent(caName)}.pem`,
} as const;

/** The root CA every claw server ensures at its first start, and `claw pki init` exports. */
export const ROOT_CA_NAME = "clawbernetes-ca";

/** A client certificate whose subject organizations hold this is a node identity (Kubernetes' kubelet convention). */
export const NODE_ORGANIZATION = "system:nodes";
/** The username a node certificate authenticates as: `system:node:gpu-node-1`. */
export const NODE_USER_PREFIX = "system:node:";
/** The role a node identity holds (the guide's default `node` role). */
export const NODE_ROLE = "node";

/** Why a certificate is (re)issued: the Issuing condition's reason while True. */
export const ISSUE_REASONS = ["DoesNotExist", "SpecChanged", "Renewing", "IssuerRenewed", "Expired", "KeyMissing", "ManuallyTriggered"] as const;
export type IssueReason = (typeof ISSUE_REASONS)[number];

export interface IssueRequest {
  /** Why the controller issues now: recorded in the audit entry. */
  reason?: IssueReason;
  /** The status.revision the caller saw; a different one means another issuance won, 409. */
  expectedRevision?: number;
}

export interface RevokeRequest {
  reason?: CertificateRevocationReason;
}

/** What the privatekey endpoint returns. */
export interface CertificateKeyPair {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "CertificateKeyPair";
  name: string;
  serialNumber: string;
  revision: number;
  /** The certificate, PEM. */
  certificate: string;
  /** The issuing CAs from the issuer up to the root, PEM; empty for a self-signed root. */
  chain: string;
  /** The root CA certificate, PEM (the certificate itself for a root). */
  ca: string;
  /** The private key, PKCS#8 PEM. */
  privateKey: string;
}

/** Condition types and reasons on a Certificate's status. */
export const CONDITION_READY = "Ready";
export const CONDITION_ISSUING = "Issuing";
export const READY_REASONS = ["Ready", "DoesNotExist", "Issuing", "Expired", "Revoked", "IssuerNotFound", "IssuerNotReady", "SpecMismatch", "Failed"] as const;
export type ReadyReason = (typeof READY_REASONS)[number];
/** Issuing=False after a success (Issued); while failed issuances back off, Issuing stays True with the server's message and status.failedIssuanceAttempts counts them. */
export const ISSUING_DONE = "Issued";
