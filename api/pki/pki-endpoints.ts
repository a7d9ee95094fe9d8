// The PKI's imperative endpoints (paths in api/types/pki-api.ts): issue, renew, revoke, the private key,
// and the published CRLs. Each write goes through the resource service, so admission (who may, what is
// revoked) and the audit entry commit with it; the key fetch is audited before the key leaves. A certificate
// whose key its node holds (source CSR) is neither issued nor renewed here, and has no key to fetch.

import { setCondition } from "../machinery/conditions.js";
import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, badRequest, notFound } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import { decodeBody, readBody, sendJson } from "../server/http-io.js";
import type { AuditSink } from "../server/module.js";
import { fieldManagerOf, sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { CertificateRevocationReason } from "../types/certificate.js";
import { CONDITION_ISSUING, ISSUE_REASONS, type CertificateKeyPair, type IssueReason } from "../types/pki-api.js";
import { REVOKE_HINT } from "./certificate-admission.js";
import type { CrlPublisher } from "./crl-publisher.js";
import { heldByNode, issueCertificate, keyHeldByHolder, openKey, type IssuanceDeps } from "./issuance.js";
import type { Cert } from "./pki-records.js";

export interface PkiEndpointDeps extends IssuanceDeps {
  audit: AuditSink;
  crls: CrlPublisher;
  maxBodyBytes: number;
}

/** The field manager of spec.revoked when revoked through the endpoint (claw pki revoke). */
const REVOKE_FIELD_MANAGER = "claw-pki-revoke";

const REASONS: readonly CertificateRevocationReason[] = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "privilegeWithdrawn"];

export async function issueEndpoint(ctx: RequestContext, deps: PkiEndpointDeps): Promise<void> {
  const body = await jsonBody(ctx, deps.maxBodyBytes);
  const reason = body.reason;
  if (reason !== undefined && !ISSUE_REASONS.includes(reason as IssueReason)) throw badRequest(`reason must be one of ${ISSUE_REASONS.join(", ")}`);
  const expected = body.expectedRevision;
  if (expected !== undefined && (typeof expected !== "number" || !Number.isInteger(expected) || expected < 0)) throw badRequest("expectedRevision must be a whole number ≥ 0");
  const result = await issueCertificate(deps, ctx.info.name ?? "", {
    ...(reason ? { reason: reason as IssueReason } : {}),
    ...(expected !== undefined ? { expectedRevision: expected as number } : {}),
    ...requester(ctx),
  });
  sendJson(ctx.res, 201, result.object);
}

export async function renewEndpoint(ctx: RequestContext, deps: PkiEndpointDeps): Promise<void> {
  await jsonBody(ctx, deps.maxBodyBytes);
  const name = ctx.info.name ?? "";
  const current = (await deps.resources().get(deps.certificates, name)) as Cert;
  // Renewing a CA re-keys a trust root (and every certificate below it): that is certificates:admin.
  if (current.spec.isCA) await ctx.authorize({ resource: "certificates", action: "admin" });
  if (keyHeldByHolder(current)) throw heldByNode(name);
  const result = await deps.resources().guaranteedUpdate(deps.certificates, name, { ...writeOptions(ctx), subresource: "status" }, (live) => {
    const cert = live as Cert;
    if (keyHeldByHolder(cert)) throw heldByNode(name);
    if (cert.spec.revoked) throw new ApiError(409, "Conflict", `certificate "${name}" is revoked; a revoked certificate is never renewed: create a new Cert`, { group: GROUP, kind: "Certificate", name });
    const conditions = setCondition(
      cert.status?.conditions,
      { type: CONDITION_ISSUING, status: "True", reason: "ManuallyTriggered", message: `Renewal requested by ${ctx.user?.name ?? "the server"}`, observedGeneration: cert.metadata.generation ?? 1 },
      toRfc3339(deps.clock.now()),
    );
    return { ...cert, status: { ...cert.status, conditions } };
  });
  sendJson(ctx.res, 200, result.object);
}

export async function revokeEndpoint(ctx: RequestContext, deps: PkiEndpointDeps): Promise<void> {
  const body = await jsonBody(ctx, deps.maxBodyBytes);
  const reason = (body.reason ?? "unspecified") as CertificateRevocationReason;
  if (!REASONS.includes(reason)) throw badRequest(`reason must be one of ${REASONS.join(", ")}, not ${JSON.stringify(body.reason)}`);
  const name = ctx.info.name ?? "";
  // Owned by a fixed manager, so a later apply of a manifest that never said revoked does not try to undo it.
  const result = await deps.resources().guaranteedUpdate(deps.certificates, name, { ...writeOptions(ctx), fieldManager: REVOKE_FIELD_MANAGER, subresource: undefined, hints: { [REVOKE_HINT]: reason } }, (live) => {
    const cert = live as Cert;
    // Already revoked: the reason it was revoked for stands.
    if (cert.spec.revoked) return cert;
    return { ...cert, spec: { ...cert.spec, revoked: true, revocationReason: reason } };
  });
  const cert = result.object as Cert;
  // When this returns, the issuer's CRL lists the serial: every server enforces it from its watch.
  const issuer = cert.spec.issuerRef?.name ?? (cert.spec.isCA ? name : undefined);
  if (issuer) await deps.crls.refresh(issuer);
  sendJson(ctx.res, 200, cert);
}

export async function privateKeyEndpoint(ctx: RequestContext, deps: PkiEndpointDeps): Promise<void> {
  await jsonBody(ctx, deps.maxBodyBytes);
  const name = ctx.info.name ?? "";
  const cert = (await deps.resources().get(deps.certificates, name)) as Cert;
  const status = cert.status;
  if (keyHeldByHolder(cert))
    throw new ApiError(409, "Conflict", `certificate "${name}" has no private key on the server: its key is held by its node (spec.privateKey.source CSR) and never leaves it`, { group: GROUP, kind: "Certificate", name });
  if (!status?.certificate || !status.serialNumber) throw new ApiError(409, "Conflict", `certificate "${name}" has not been issued yet; wait until it is Ready`, { group: GROUP, kind: "Certificate", name });
  const base = { type: "certificates.keyaccessed" as const, actor: ctx.user?.name ?? "anonymous", ...ip(ctx), resource: { group: GROUP, kind: "Certificate", name }, details: { serialNumber: status.serialNumber, revision: status.revision ?? 0 } };
  const privateKey = await openKey(deps, cert).catch(async (err: Error) => {
    await deps.audit.record({ ...base, outcome: "failure", details: { ...base.details, reason: err.message } });
    throw new ApiError(500, "InternalError", `the stored private key of certificate "${name}" cannot be opened: it was altered in the store or sealed under a key this server does not hold`);
  });
  if (!privateKey) throw new ApiError(409, "Conflict", `certificate "${name}" has no stored private key for serial ${status.serialNumber}; renew it (claw pki renew ${name})`, { group: GROUP, kind: "Certificate", name });
  // Recorded before the key leaves: a key fetch the log does not know about never happens.
  await deps.audit.record({ ...base, outcome: "success" });
  const chain = status.chain ?? "";
  const pems = `${status.certificate}${chain}`.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g) ?? [];
  const body: CertificateKeyPair = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "CertificateKeyPair",
    name,
    serialNumber: status.serialNumber,
    revision: status.revision ?? 1,
    certificate: status.certificate,
    chain,
    ca: pems[pems.length - 1] ?? status.certificate,
    privateKey,
  };
  sendJson(ctx.res, 200, body, { "Cache-Control": "no-store" });
}

/** GET /pki/crl/{ca}.crl or .pem: public, as CRLs are meant to be. */
export async function crlEndpoint(ctx: RequestContext, deps: PkiEndpointDeps, format: "der" | "pem"): Promise<void> {
  const file = ctx.info.name ?? "";
  const ca = file.replace(format === "der" ? /\.crl$/ : /\.pem$/, "");
  // Only a Certificate's name reads a CRL record: anything else is simply not there.
  if (ca === file || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(ca)) throw notFound({ group: GROUP, kind: "CertificateRevocationList", resource: "crl", name: file });
  const record = await deps.crls.current(ca);
  if (!record) throw notFound({ group: GROUP, kind: "CertificateRevocationList", resource: "crl", name: ca });
  const headers = { "Cache-Control": "no-cache", "Last-Modified": new Date(record.thisUpdate).toUTCString() };
  if (format === "pem") {
    ctx.res.writeHead(200, { ...headers, "Content-Type": "application/x-pem-file" });
    ctx.res.end(record.pem);
    return;
  }
  const der = Buffer.from(record.pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  ctx.res.writeHead(200, { ...headers, "Content-Type": "application/pkix-crl", "Content-Length": String(der.length) });
  ctx.res.end(der);
}

const requester = (ctx: RequestContext) => {
  const sourceIp = sourceIpOf(ctx);
  return { fieldManager: fieldManagerOf(ctx), ...(ctx.user ? { user: ctx.user } : {}), ...(sourceIp ? { sourceIp } : {}) };
};

const writeOptions = (ctx: RequestContext) => ({ ...requester(ctx), fieldValidation: "Strict" as const, dryRun: false });

const ip = (ctx: RequestContext) => {
  const sourceIp = sourceIpOf(ctx);
  return sourceIp ? { sourceIp } : {};
};

/** An empty body or a JSON object. */
async function jsonBody(ctx: RequestContext, maxBytes: number): Promise<Record<string, unknown>> {
  const text = await readBody(ctx.req, maxBytes);
  if (text.trim() === "") return {};
  const mediaType = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "" && mediaType !== "application/json") throw new ApiError(415, "UnsupportedMediaType", `the body must be application/json, not ${mediaType}`);
  const body = decodeBody(text, "application/json");
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body must be a JSON object");
  return body as Record<string, unknown>;
}
