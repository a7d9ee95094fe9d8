// The pki module's CsrSigner (api/server/module.ts): certificates whose private key never leaves its holder (a
// node agent). The request is checked first (certificate-request.ts), then the Certificate is made when absent
// (source CSR, issued by the root CA) and issued for the request's public key through the one issue path, so the
// status write, the issued serial and the audit entry are those of any issuance, with no key record. Two signs
// for one name race on status.revision: one wins, the other gets 409.

import { ApiError, isApiError } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { CsrSigner, SignedCsr } from "../server/module.js";
import type { CertificateSpec } from "../types/certificate.js";
import { ROOT_CA_NAME } from "../types/pki-api.js";
import { readCertificateRequest } from "./certificate-request.js";
import { issueCertificate, keyHeldByHolder, type IssuanceDeps } from "./issuance.js";
import type { Cert } from "./pki-records.js";

/** The field manager of the Certificates the signer creates and of its status writes. */
export const CSR_FIELD_MANAGER = "claw-pki-csr";

export type CsrSignRequest = Parameters<CsrSigner["sign"]>[0];

export function csrSigner(deps: IssuanceDeps): CsrSigner {
  return { sign: (request) => signCsr(deps, request) };
}

async function signCsr(deps: IssuanceDeps, request: CsrSignRequest): Promise<SignedCsr> {
  const { publicKeyDer } = await readCertificateRequest(request.csrPem, { commonName: request.commonName });
  const cert = await certificateFor(deps, request);
  const check = (current: Cert) => refuseUnlike(current, request);
  check(cert);
  const result = await issueCertificate(deps, request.certificateName, {
    publicKeyDer,
    check,
    expectedRevision: cert.status?.revision ?? 0,
    reason: cert.status?.certificate ? "Renewing" : "DoesNotExist",
    fieldManager: CSR_FIELD_MANAGER,
    ...(request.user ? { user: request.user } : {}),
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
  });
  return signedCsrOf(result.object as Cert);
}

/** The spec of a Certificate made for a CSR: a leaf of the root CA for TLS both ways, whose key its holder keeps. */
export function csrCertificateSpec(request: Pick<CsrSignRequest, "commonName" | "organizations">): CertificateSpec {
  return {
    commonName: request.commonName,
    ...(request.organizations.length > 0 ? { subject: { organizations: [...request.organizations] } } : {}),
    issuerRef: { name: ROOT_CA_NAME },
    // digital signature too: the handshake signature of an ECDSA or Ed25519 key is that usage.
    usages: ["digital signature", "client auth", "server auth"],
    privateKey: { source: "CSR" },
  };
}

/**
 * The Certificate, created when absent as the server's own write (the caller, such as the nodes module's join,
 * decided the requester may have this identity). Another signer may create it first: then its object is used.
 */
async function certificateFor(deps: IssuanceDeps, request: CsrSignRequest): Promise<Cert> {
  const resources = deps.resources();
  const name = request.certificateName;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return (await resources.get(deps.certificates, name)) as Cert;
    } catch (err) {
      if (!(isApiError(err) && err.code === 404)) throw err;
    }
    const body = { apiVersion: `${deps.certificates.group}/${deps.certificates.version}`, kind: "Certificate", metadata: { name }, spec: csrCertificateSpec(request) };
    try {
      return (await resources.create(deps.certificates, body, { fieldManager: CSR_FIELD_MANAGER, fieldValidation: "Strict", dryRun: false })).object as Cert;
    } catch (err) {
      if (!(isApiError(err) && err.code === 409)) throw err;
    }
  }
  throw new ApiError(409, "Conflict", `certificate "${name}" kept being created and deleted while the CSR was signed; try again`, { group: GROUP, kind: "Certificate", name });
}

/** 409 when the Certificate is not one this CSR may be issued into: its key is the server's, it names another identity, or it is revoked. */
function refuseUnlike(cert: Cert, request: CsrSignRequest): void {
  const name = cert.metadata.name;
  const refuse = (why: string) => new ApiError(409, "Conflict", `certificate "${name}" ${why}`, { group: GROUP, kind: "Certificate", name });
  if (cert.spec.revoked)
    throw refuse(`is revoked${cert.spec.revocationReason ? ` (${cert.spec.revocationReason})` : ""} and is never issued again: delete it and join again`);
  if (!keyHeldByHolder(cert)) throw refuse("exists with a private key the server makes (spec.privateKey.source Server), so it is not signed for a CSR: delete it and join again");
  if (cert.spec.commonName !== request.commonName) throw refuse(`is for common name "${cert.spec.commonName}", not "${request.commonName}": delete it and join again`);
  const have = [...new Set(cert.spec.subject?.organizations ?? [])].sort();
  const want = [...new Set(request.organizations)].sort();
  if (JSON.stringify(have) !== JSON.stringify(want)) throw refuse(`is for organizations [${have.join(", ")}], not [${want.join(", ")}]: delete it and join again`);
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g;

/** What the holder needs: its certificate, the intermediates, the root to trust and when to come back. */
function signedCsrOf(cert: Cert): SignedCsr {
  const status = cert.status ?? {};
  // status.chain runs from the issuer up to the root: the root is its last certificate.
  const chain = status.chain?.match(PEM_CERTIFICATE) ?? [];
  return {
    certificateName: cert.metadata.name,
    serialNumber: status.serialNumber ?? "",
    certificatePem: status.certificate ?? "",
    chainPem: chain.slice(0, -1).join(""),
    caPem: chain[chain.length - 1] ?? "",
    notAfter: status.notAfter ?? "",
    renewalTime: status.renewalTime ?? "",
  };
}
