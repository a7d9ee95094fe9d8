// Admission for Certificates. Issuing a certificate grants an identity, so who may ask for which one is
// authorization (as Kubernetes' CSR signers need their own permission per signer):
//   - a CA (isCA) signs anything below it: certificates:admin;
//   - a client certificate (usage client auth) is a credential: certificates:admin, and the caller must
//     hold everything the identity holds — a node's (subject O system:nodes) node role, or the roles of
//     the user its common name names, whatever that user's state;
//   - a server-only certificate (DNS/IP names a server proves): certificates:create or :update.
// The same holds for an update that changes any of those fields. Revocation cannot be undone, and a
// revoked certificate no longer changes; nor does where an issued certificate's key lives
// (spec.privateKey.source), and a CA's key is always the server's. Revoking (or deleting an issued
// certificate, which revokes it) records every still-valid serial it was issued under on its CA's
// revocation list in the same transaction. Only the issue path writes the issued fields of status.

import { toRfc3339, type Clock } from "../machinery/clock.js";
import { ApiError, invalid, type StatusCause } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { AdmissionPlugin, AdmissionRequest, UserInfo } from "../server/admission.js";
import type { PermissionDecider } from "../server/authorizer.js";
import type { Store } from "../store/store.js";
import type { CertificateRevocationReason, CertificateSpec } from "../types/certificate.js";
import { durationOf, effectiveUsages } from "../types/certificate-defaults.js";
import { parseDuration } from "../types/duration.js";
import { NODE_ORGANIZATION, NODE_ROLE } from "../types/pki-api.js";
import { ISSUE_HINT } from "./issuance.js";
import { issuedPrefix, keyRecordKey, listJson, put, revokedKey, type IssuedRecord, type RevokedRecord, type Cert } from "./pki-records.js";

export interface CertificateAdmissionDeps {
  store: Store;
  clock: Clock;
  /** Read when a write comes: the identity module provides it after this one is built. */
  permissions: () => PermissionDecider;
}

/** What issuing a spec hands out: a CA can sign, a client-auth certificate is a credential; one can be both. */
export type Grant = { kind: "ca" } | { kind: "node"; name: string } | { kind: "user"; name: string };

export function grantsOf(spec: CertificateSpec): Grant[] {
  const grants: Grant[] = spec.isCA ? [{ kind: "ca" }] : [];
  if (effectiveUsages(spec).includes("client auth"))
    grants.push(spec.subject?.organizations?.includes(NODE_ORGANIZATION) ? { kind: "node", name: spec.commonName } : { kind: "user", name: spec.commonName });
  return grants;
}

/** A node's name, as the mTLS authenticator accepts it. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,62}[a-z0-9])?$/;

/** The status fields only the issue path writes. */
const ISSUED_FIELDS = ["certificate", "chain", "serialNumber", "issuerSerialNumber", "notBefore", "notAfter", "renewalTime", "revision", "revokedAt"] as const;

export function certificateAdmission(deps: CertificateAdmissionDeps): AdmissionPlugin {
  return {
    name: "CertificateAuthority",
    async admit(request) {
      if (request.info.group !== GROUP || request.info.kind !== "Certificate") return;
      if (request.operation === "DELETE") {
        const old = request.oldObject as Cert | undefined;
        if (old?.spec.isCA) await requireAdmin(deps, request.user, old, "delete the CA");
        return revokeOnDelete(deps, request);
      }
      const cert = request.object as Cert;
      const old = request.oldObject as Cert | undefined;
      if (request.subresource === "status") return guardIssuedFields(request, cert, old);
      if (request.subresource) return;
      checkSpec(cert);
      if (old?.spec.revoked) checkRevokedUnchanged(cert, old);
      if (old) checkKeySourceKept(cert, old);
      if (!old || grantChanged(cert.spec, old.spec)) await authorizeGrant(deps, request.user, cert);
      // A CA is a trust root: re-keying it (any spec change reissues it), revoking it or turning it into a leaf is certificates:admin.
      else if ((cert.spec.isCA || old.spec.isCA) && JSON.stringify(sorted(cert.spec)) !== JSON.stringify(sorted(old.spec))) await requireAdmin(deps, request.user, cert, "change the CA");
      if (cert.spec.revoked && !old?.spec.revoked && old) return revoke(deps, request, cert, cert.spec.revocationReason ?? "unspecified");
    },
  };
}

function checkSpec(cert: Cert): void {
  const { spec } = cert;
  const causes: StatusCause[] = [];
  const usages = effectiveUsages(spec);
  if (!spec.isCA && !spec.issuerRef) causes.push({ field: "spec.issuerRef", reason: "FieldValueRequired", message: "Required value: a leaf certificate (isCA false) is signed by a CA; name it in issuerRef (such as clawbernetes-ca)" });
  if (spec.issuerRef?.name === cert.metadata.name) causes.push({ field: "spec.issuerRef.name", reason: "FieldValueInvalid", message: "Invalid value: a certificate cannot name itself as issuer; omit issuerRef for a self-signed root CA" });
  if (spec.isCA && !usages.includes("cert sign")) causes.push({ field: "spec.usages", reason: "FieldValueInvalid", message: 'Invalid value: a CA must have the usage "cert sign"' });
  if (!spec.isCA && (usages.includes("cert sign") || usages.includes("crl sign"))) causes.push({ field: "spec.usages", reason: "FieldValueInvalid", message: 'Invalid value: "cert sign" and "crl sign" are for CAs; set isCA: true' });
  const algorithm = spec.privateKey?.algorithm ?? "ECDSA";
  const size = spec.privateKey?.size;
  if (size !== undefined && algorithm === "ECDSA" && ![256, 384, 521].includes(size)) causes.push({ field: "spec.privateKey.size", reason: "FieldValueNotSupported", message: "Unsupported value: an ECDSA key is 256, 384 or 521 bits" });
  if (size !== undefined && algorithm === "RSA" && ![2048, 3072, 4096].includes(size)) causes.push({ field: "spec.privateKey.size", reason: "FieldValueNotSupported", message: "Unsupported value: an RSA key is 2048, 3072 or 4096 bits" });
  if (spec.renewBefore && parseDuration(spec.renewBefore) >= durationOf(spec))
    causes.push({ field: "spec.renewBefore", reason: "FieldValueInvalid", message: `Invalid value: "${spec.renewBefore}": must be shorter than the duration (${spec.duration ?? (spec.isCA ? "87600h" : "2160h")})` });
  if (spec.isCA && spec.privateKey?.source === "CSR") causes.push({ field: "spec.privateKey.source", reason: "FieldValueInvalid", message: "Invalid value: \"CSR\": a CA signs with a key the server holds; CSR is for leaf certificates (omit it or set Server)" });
  const node = grantsOf(spec).find((g) => g.kind === "node");
  if (node && !NODE_NAME.test(node.name))
    causes.push({ field: "spec.commonName", reason: "FieldValueInvalid", message: `Invalid value: "${node.name}": a node certificate's common name is the node's name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit` });
  if (causes.length > 0) throw invalid({ group: GROUP, kind: "Certificate", name: cert.metadata.name }, causes);
}

function checkRevokedUnchanged(cert: Cert, old: Cert): void {
  const { revocationReason: _a, ...now } = cert.spec;
  const { revocationReason: _b, ...before } = old.spec;
  if (JSON.stringify(sorted(now)) !== JSON.stringify(sorted(before)) || cert.spec.revocationReason !== old.spec.revocationReason)
    throw invalid({ group: GROUP, kind: "Certificate", name: cert.metadata.name }, [
      { field: "spec", reason: "FieldValueForbidden", message: "Forbidden: the certificate is revoked and revocation cannot be undone; its spec no longer changes. Create a new Cert instead" },
    ]);
}

/** An issued certificate's key stays where it was made: the server's sealed key or its node's. */
function checkKeySourceKept(cert: Cert, old: Cert): void {
  const sourceOf = (c: Cert) => c.spec.privateKey?.source ?? "Server";
  if (!old.status?.certificate || sourceOf(cert) === sourceOf(old)) return;
  throw invalid({ group: GROUP, kind: "Certificate", name: cert.metadata.name }, [
    {
      field: "spec.privateKey.source",
      reason: "FieldValueForbidden",
      message: `Forbidden: the certificate was issued with ${sourceOf(old) === "CSR" ? "a key its node holds" : "a key the server holds"} (source ${sourceOf(old)}); where its key lives cannot change once issued: delete it and create it again`,
    },
  ]);
}

const sorted = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(sorted) : value && typeof value === "object" ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)])) : value;

function grantChanged(spec: CertificateSpec, old: CertificateSpec): boolean {
  const facts = (s: CertificateSpec) =>
    JSON.stringify([s.isCA === true, s.commonName, [...(s.subject?.organizations ?? [])].sort(), effectiveUsages(s), s.issuerRef?.name ?? "", [...(s.dnsNames ?? [])].sort(), [...(s.ipAddresses ?? [])].sort()]);
  return facts(spec) !== facts(old);
}

async function authorizeGrant(deps: CertificateAdmissionDeps, user: UserInfo | undefined, cert: Cert): Promise<void> {
  // The server's own writes (bootstrap of its CA and serving certificate) carry no user.
  if (!user) return;
  const name = cert.metadata.name;
  const ref = { kind: "Certificate", name };
  for (const grant of grantsOf(cert.spec)) {
    const what = grant.kind === "ca" ? "a CA certificate, which can sign any identity" : grant.kind === "node" ? `a client certificate for node "${grant.name}"` : `a client certificate for user "${grant.name}"`;
    const decision = await deps.permissions().decide(user, "certificates", "admin");
    if (!decision.allowed)
      throw new ApiError(403, "Forbidden", `user "${user.name}" cannot issue ${what} (certificate "${name}"): it needs certificates:admin (${decision.reason}); a certificate without the usage "client auth" needs only certificates:create`, { group: GROUP, ...ref });
    if (grant.kind === "ca") continue;
    const requireHolds = deps.permissions().requireHolds;
    if (!requireHolds) throw new ApiError(403, "Forbidden", `cannot issue ${what}: no identity module can tell what that identity holds`, { group: GROUP, ...ref });
    await requireHolds(user, grant.kind === "node" ? { roles: [NODE_ROLE] } : { user: grant.name }, `issue ${what}`, ref);
  }
}

async function requireAdmin(deps: CertificateAdmissionDeps, user: UserInfo | undefined, cert: Cert, what: string): Promise<void> {
  if (!user) return;
  const decision = await deps.permissions().decide(user, "certificates", "admin");
  if (!decision.allowed)
    throw new ApiError(403, "Forbidden", `user "${user.name}" cannot ${what} "${cert.metadata.name}": a CA signs identities, so changing, renewing or revoking it needs certificates:admin (${decision.reason})`, {
      group: GROUP,
      kind: "Certificate",
      name: cert.metadata.name,
    });
}

/** Status writes other than the issue path's keep the issued fields as they are. */
function guardIssuedFields(request: AdmissionRequest, cert: Cert, old: Cert | undefined): void {
  if (request.hints?.[ISSUE_HINT] !== undefined || request.hints?.[REVOKE_HINT] !== undefined || !request.user) return;
  const changed = ISSUED_FIELDS.filter((f) => JSON.stringify(cert.status?.[f]) !== JSON.stringify(old?.status?.[f]));
  if (changed.length > 0)
    throw invalid(
      { group: GROUP, kind: "Certificate", name: cert.metadata.name },
      changed.map((f) => ({ field: `status.${f}`, reason: "FieldValueForbidden", message: "Forbidden: written only when the server issues or revokes the certificate (POST certificates/NAME/issue, /revoke)" })),
    );
}

/** Set on the revoke endpoint's write, for its audit reason. */
export const REVOKE_HINT = "pkiRevoke";

/** Puts every still-valid serial of the certificate on its CA's list, in the write's own transaction, and stamps revokedAt. */
async function revoke(deps: CertificateAdmissionDeps, request: AdmissionRequest, cert: Cert, reason: CertificateRevocationReason): Promise<Cert> {
  const now = deps.clock.now();
  request.effects.push(...(await revocationOps(deps, cert, reason, now, cert.metadata.name)));
  return { ...cert, status: { ...cert.status, revokedAt: toRfc3339(now) } };
}

async function revokeOnDelete(deps: CertificateAdmissionDeps, request: AdmissionRequest): Promise<void> {
  const cert = request.oldObject as Cert | undefined;
  if (!cert) return;
  const uid = cert.metadata.uid ?? "";
  // Deleting an issued certificate revokes it: otherwise its holder keeps an identity no object shows.
  if (!cert.spec.revoked) request.effects.push(...(await revocationOps(deps, cert, "cessationOfOperation", deps.clock.now(), cert.metadata.name)));
  request.effects.push({ kind: "delete", key: keyRecordKey(uid) });
  for (const { key } of await listJson<IssuedRecord>(deps.store, issuedPrefix(uid))) request.effects.push({ kind: "delete", key });
}

async function revocationOps(deps: CertificateAdmissionDeps, cert: Cert, reason: CertificateRevocationReason, now: number, name: string) {
  const uid = cert.metadata.uid ?? "";
  const issued = await listJson<IssuedRecord>(deps.store, issuedPrefix(uid));
  return issued
    .filter(({ value }) => Date.parse(value.notAfter) > now)
    .map(({ value }) => put(revokedKey(value.issuer, value.serialNumber), { serialNumber: value.serialNumber, revokedAt: toRfc3339(now), reason, notAfter: value.notAfter, certificate: name } satisfies RevokedRecord));
}

