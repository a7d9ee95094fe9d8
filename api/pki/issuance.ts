// Issuing one Cert: resolve its issuer CA (which must exist, be a CA, be issued, unrevoked and
// unexpired), make a private key (or keep it under rotationPolicy Never), sign, and write the status with
// the sealed key and the issued serial in the same transaction — so a certificate in status always has its
// key in the store. A certificate whose key its holder keeps (spec.privateKey.source CSR) is signed for the
// public key its CSR gave instead, and no key is stored. The audit entry (certificates.issued or .renewed)
// commits with it (change-events.ts).

import { setCondition } from "../machinery/conditions.js";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import { ApiError } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { UserInfo } from "../server/admission.js";
import type { ValueSealer } from "../server/module.js";
import type { ResourceService, WriteResult } from "../server/resource-service.js";
import type { Store, TxnOp } from "../store/store.js";
import type { CertificateStatus } from "../types/certificate.js";
import { keyHeldByHolder as heldByHolder, BACKDATE_MS, durationOf, effectiveUsages, keyAlgorithmOf, keySizeOf, renewalTimeOf } from "../types/certificate-defaults.js";
import { CONDITION_ISSUING, ISSUING_DONE, type IssueReason } from "../types/pki-api.js";
import { signCertificate, signCertificateForPublicKey } from "./certificate-signer.js";
import type { CertificateTemplate, SigningAuthority } from "./certificate-template.js";
import { issuedKey, keyRecordKey, keySealName, put, readJson, type IssuedRecord, type KeyRecord, type Cert } from "./pki-records.js";
import { generatePrivateKey, keySpecOf } from "./private-key.js";

export interface IssuanceDeps {
  resources: () => ResourceService;
  certificates: ResourceInfo;
  store: Store;
  sealer: ValueSealer;
  clock: Clock;
  random: (n: number) => Uint8Array;
}

export interface IssueOptions {
  reason?: IssueReason;
  /** The status.revision the caller saw; another means someone else issued meanwhile: 409. */
  expectedRevision?: number;
  user?: UserInfo;
  sourceIp?: string;
  fieldManager: string;
  /**
   * The SubjectPublicKeyInfo (DER) of the key the certificate's holder keeps: required for, and only for, a
   * certificate with spec.privateKey.source CSR. The server then signs for it and stores no key.
   */
  publicKeyDer?: Uint8Array;
  /** Throws when the certificate is no longer one to issue this way: run on the object read and again on the one written. */
  check?: (cert: Cert) => void;
}

/** A CA ready to sign: its Cert, key and chain up to the root. */
export interface ReadyAuthority extends SigningAuthority {
  certificate: Cert;
  /** The PEM chain a certificate it signs carries: this CA, then its own chain. */
  chainForChildren: string;
  notAfterMs: number;
}

/** The hint the issue path sets: only it may change a certificate's issued fields in status. */
export const ISSUE_HINT = "pkiIssue";

/** Whether the certificate's holder keeps its private key and renews it by CSR (spec.privateKey.source CSR). */
export const keyHeldByHolder = (cert: Cert): boolean => heldByHolder(cert.spec);

/** The refusal to issue or renew, on the server's side, a certificate whose key its node holds. */
export const heldByNode = (name: string) =>
  new ApiError(409, "Conflict", `certificate "${name}" is not issued by the server: its private key is held by its node; the node agent renews it by CSR (claw node run does it before renewalTime)`, { group: GROUP, kind: "Certificate", name });

export async function issueCertificate(deps: IssuanceDeps, name: string, opts: IssueOptions): Promise<WriteResult> {
  const live = (await deps.resources().get(deps.certificates, name)) as Cert;
  const refuse = (message: string) => new ApiError(409, "Conflict", message, { group: GROUP, kind: "Certificate", name });
  if (live.spec.revoked) throw refuse(`certificate "${name}" is revoked; a revoked certificate is never issued again: create a new Cert`);
  opts.check?.(live);
  if (keyHeldByHolder(live) && !opts.publicKeyDer) throw heldByNode(name);
  if (!keyHeldByHolder(live) && opts.publicKeyDer) throw refuse(`certificate "${name}" has a private key the server makes (spec.privateKey.source Server); it is not signed for a CSR`);
  const revision = live.status?.revision ?? 0;
  if (opts.expectedRevision !== undefined && opts.expectedRevision !== revision)
    throw refuse(`certificate "${name}" is at revision ${revision}, not ${opts.expectedRevision}: it was issued meanwhile`);
  const now = deps.clock.now();
  const issuer = live.spec.issuerRef ? await readyAuthority(deps, live.spec.issuerRef.name, now, name) : undefined;
  if (!issuer && !live.spec.isCA) throw refuse(`certificate "${name}" has no spec.issuerRef: only a CA (isCA: true) signs itself`);
  const uid = live.metadata.uid ?? "";
  const serialNumber = newSerial(deps.random);
  const notBeforeMs = now - BACKDATE_MS;
  // A certificate never outlives its issuer: OpenSSL would refuse the chain from then on anyway.
  const notAfterMs = Math.min(now + durationOf(live.spec), issuer?.notAfterMs ?? Number.POSITIVE_INFINITY);
  const template: CertificateTemplate = {
    serialNumber,
    subject: { commonName: live.spec.commonName, ...(live.spec.subject?.organizations ? { organizations: live.spec.subject.organizations } : {}) },
    isCA: live.spec.isCA === true,
    dnsNames: live.spec.dnsNames ?? [],
    ipAddresses: live.spec.ipAddresses ?? [],
    usages: effectiveUsages(live.spec),
    notBefore: new Date(notBeforeMs),
    notAfter: new Date(notAfterMs),
  };
  const signed = await signedFor(deps, { cert: live, template, uid, revision, ...(issuer ? { issuer } : {}), ...(opts.publicKeyDer ? { publicKeyDer: opts.publicKeyDer } : {}) });
  const certificatePem = signed.certificatePem;
  const issued: IssuedRecord = { serialNumber, issuer: issuer?.certificate.metadata.name ?? name, notAfter: toRfc3339(notAfterMs) };
  const nowText = toRfc3339(now);
  return deps.resources().guaranteedUpdate(
    deps.certificates,
    name,
    {
      fieldManager: opts.fieldManager,
      fieldValidation: "Strict",
      dryRun: false,
      subresource: "status",
      hints: { [ISSUE_HINT]: opts.reason ?? "" },
      effects: [...signed.effects, put(issuedKey(uid, serialNumber), issued)],
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.sourceIp ? { sourceIp: opts.sourceIp } : {}),
    },
    (current) => {
      const cert = current as Cert;
      // Another issuance or a delete-and-recreate won the race: never overwrite it with this one.
      if (cert.metadata.uid !== uid || (cert.status?.revision ?? 0) !== revision || cert.spec.revoked || keyHeldByHolder(cert) !== keyHeldByHolder(live)) throw refuse(`certificate "${name}" changed while it was being issued; try again`);
      opts.check?.(cert);
      const status: CertificateStatus = { ...cert.status };
      delete status.failedIssuanceAttempts;
      delete status.lastFailureTime;
      Object.assign(status, {
        certificate: certificatePem,
        chain: issuer?.chainForChildren ?? "",
        serialNumber,
        ...(issuer ? { issuerSerialNumber: issuer.certificate.status?.serialNumber } : {}),
        notBefore: toRfc3339(notBeforeMs),
        notAfter: toRfc3339(notAfterMs),
        renewalTime: toRfc3339(Math.max(now, renewalTimeOf(cert.spec, notBeforeMs, notAfterMs))),
        revision: revision + 1,
      });
      if (!issuer) delete status.issuerSerialNumber;
      status.conditions = setCondition(
        status.conditions,
        { type: CONDITION_ISSUING, status: "False", reason: ISSUING_DONE, message: `Issued revision ${revision + 1}, serial ${serialNumber}, valid until ${toRfc3339(notAfterMs)}`, observedGeneration: cert.metadata.generation ?? 1 },
        nowText,
      );
      return { ...cert, status };
    },
  );
}

/** The issuer as a signer, or 409 saying what it lacks. */
export async function readyAuthority(deps: IssuanceDeps, caName: string, now: number, forName: string): Promise<ReadyAuthority> {
  const refuse = (why: string) => new ApiError(409, "Conflict", `certificate "${forName}" cannot be issued: ${why}`, { group: GROUP, kind: "Certificate", name: forName });
  let ca: Cert;
  try {
    ca = (await deps.resources().get(deps.certificates, caName)) as Cert;
  } catch {
    throw refuse(`its issuer "${caName}" does not exist`);
  }
  if (!ca.spec.isCA) throw refuse(`its issuer "${caName}" is not a CA (spec.isCA is false)`);
  if (ca.spec.revoked) throw refuse(`its issuer "${caName}" is revoked`);
  const certificatePem = ca.status?.certificate;
  const notAfterMs = Date.parse(ca.status?.notAfter ?? "");
  if (!certificatePem || !ca.status?.serialNumber) throw refuse(`its issuer "${caName}" has not been issued yet`);
  if (!(notAfterMs > now)) throw refuse(`its issuer "${caName}" expired at ${ca.status.notAfter}`);
  const privateKeyPem = await openKey(deps, ca);
  if (!privateKeyPem) throw refuse(`the private key of its issuer "${caName}" is missing from the store`);
  return { certificate: ca, certificatePem, privateKeyPem, chainForChildren: `${certificatePem}${ca.status.chain ?? ""}`, notAfterMs };
}

/** A certificate's current private key, opened; undefined when none is stored for its current serial. */
export async function openKey(deps: Pick<IssuanceDeps, "store" | "sealer">, cert: Cert): Promise<string | undefined> {
  const uid = cert.metadata.uid ?? "";
  const record = (await readJson<KeyRecord>(deps.store, keyRecordKey(uid)))?.value;
  if (!record || record.serialNumber !== cert.status?.serialNumber) return undefined;
  return Buffer.from(deps.sealer.open(keySealName(uid, record.serialNumber), record.sealed)).toString("utf8");
}

/**
 * The certificate signed for its key and the store writes that go with it: a generated (or kept) key sealed
 * into its record, or, for a key its holder keeps, the given public key and no record.
 */
async function signedFor(
  deps: IssuanceDeps,
  opts: { cert: Cert; template: CertificateTemplate; uid: string; revision: number; issuer?: ReadyAuthority; publicKeyDer?: Uint8Array },
): Promise<{ certificatePem: string; effects: TxnOp[] }> {
  const { cert, template, uid, issuer } = opts;
  if (opts.publicKeyDer) {
    const name = cert.metadata.name;
    if (!issuer) throw new ApiError(409, "Conflict", `certificate "${name}" names no issuer (spec.issuerRef): a certificate for a CSR is signed by a CA`, { group: GROUP, kind: "Certificate", name });
    return { certificatePem: signCertificateForPublicKey(template, opts.publicKeyDer, issuer), effects: [] };
  }
  const privateKeyPem = await keyFor(deps, cert, uid);
  const certificatePem = signCertificate(template, privateKeyPem, issuer);
  const { serialNumber } = template;
  const keyRecord: KeyRecord = { uid, serialNumber, revision: opts.revision + 1, sealed: deps.sealer.seal(keySealName(uid, serialNumber), Buffer.from(privateKeyPem)) };
  return { certificatePem, effects: [put(keyRecordKey(uid), keyRecord)] };
}

/** The key to sign: the stored one under rotationPolicy Never when it still matches the spec, otherwise a new one. */
async function keyFor(deps: IssuanceDeps, cert: Cert, uid: string): Promise<string> {
  const spec = { algorithm: keyAlgorithmOf(cert.spec), size: keySizeOf(cert.spec) };
  if (cert.spec.privateKey?.rotationPolicy === "Never") {
    const record = (await readJson<KeyRecord>(deps.store, keyRecordKey(uid)))?.value;
    if (record) {
      const pem = Buffer.from(deps.sealer.open(keySealName(uid, record.serialNumber), record.sealed)).toString("utf8");
      const held = keySpecOf(pem);
      if (held.algorithm === spec.algorithm && (spec.algorithm === "Ed25519" || held.size === spec.size)) return pem;
    }
  }
  return generatePrivateKey(spec);
}

/** 16 random bytes, first bit clear: a positive serial with 127 bits of entropy (CA/B Forum asks ≥ 64). */
function newSerial(random: (n: number) => Uint8Array): string {
  const bytes = Buffer.from(random(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString("hex");
}
