// A secret's versions through the API: rotate (a new version from a value or the generator), history
// (metadata of every kept version, never a value), rekey (re-seal under the primary master key) and the
// access review that explains a release decision. Each write goes through the resource service, so the
// sealing admission, the version history and the audit entry commit with it.

import { ApiError, badRequest, invalid, isNotFound } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import { decideAccess } from "../rbac/secret-access-decision.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { decodeBody, readBody, sendJson } from "../server/http-io.js";
import type { AuditSink } from "../server/module.js";
import { fieldManagerOf, sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Store } from "../store/store.js";
import type { Secret } from "../types/secret.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import type { RekeyResult, RotateRequest, SecretAccessReview, SecretHistory, SecretVersionInfo } from "../types/secrets-api.js";
import type { Keyring } from "./keyring.js";
import { GENERATOR_HINT, REKEY_HINT, SECRET_SOURCE_HINT } from "./secret-admission.js";
import { generateValue } from "./value-generator.js";
import { readVersions } from "./version-history.js";
import { workloadOf } from "./workload-body.js";

export interface VersionDeps {
  resources: () => ResourceService;
  store: Store;
  secrets: ResourceInfo;
  policies: ResourceInfo;
  keyring: Keyring;
  audit: AuditSink;
  random: (n: number) => Uint8Array;
  maxBodyBytes: number;
}

export async function rotateSecret(ctx: RequestContext, deps: VersionDeps): Promise<void> {
  const name = ctx.info.name ?? "";
  const body = await jsonBody(ctx, deps.maxBodyBytes) as RotateRequest;
  const hasValue = typeof body.value === "string";
  const hasGenerate = body.generate !== undefined && typeof body.generate === "object" && body.generate !== null;
  if (hasValue === hasGenerate) throw invalid({ group: GROUP, kind: "RotateRequest", name }, [{ field: "value", reason: "FieldValueRequired", message: "Required value: exactly one of value and generate" }]);
  if (hasValue && body.value === "") throw invalid({ group: GROUP, kind: "RotateRequest", name }, [{ field: "value", reason: "FieldValueInvalid", message: "Invalid value: must not be empty" }]);
  if (hasGenerate) checkGenerator(name, body.generate!);
  const value = hasValue ? body.value! : generateValue(body.generate!, deps.random);
  const source: SecretVersionInfo["source"] = hasValue ? "Value" : ctx.user?.system ? "Rotated" : "Generated";
  const result = await deps.resources().guaranteedUpdate(
    deps.secrets,
    name,
    { fieldManager: fieldManagerOf(ctx), fieldValidation: "Strict", dryRun: false, subresource: undefined, hints: { [SECRET_SOURCE_HINT]: source, ...(hasGenerate ? { [GENERATOR_HINT]: JSON.stringify(body.generate) } : {}) }, ...requester(ctx) },
    (live) => ({ ...live, spec: { ...(live.spec as object), valueFrom: { value } } }),
  );
  const sealed = (result.object as Secret).spec?.sealed;
  if (!sealed) throw new ApiError(500, "InternalError", "the rotated secret has no sealed value");
  if (result.changed)
    await deps.audit.record({ type: "secrets.rotated", actor: ctx.user?.name ?? "anonymous", ...ip(ctx), resource: { group: GROUP, kind: "Secret", name }, outcome: "success", details: { version: sealed.version, source, keyId: sealed.keyId } });
  const record = (await readVersions(deps.store, result.object.metadata.uid ?? "")).find((r) => r.version === sealed.version);
  const { sealed: _s, ...info } = record ?? { version: sealed.version, createdAt: "", source, actor: ctx.user?.name ?? "", keyId: sealed.keyId, sealed };
  sendJson(ctx.res, result.changed ? 201 : 200, info);
}

export async function secretHistory(ctx: RequestContext, deps: VersionDeps): Promise<void> {
  const name = ctx.info.name ?? "";
  const secret = (await deps.resources().get(deps.secrets, name)) as Secret;
  const versions = (await readVersions(deps.store, secret.metadata.uid ?? "")).map(({ sealed: _s, ...info }) => info);
  const body: SecretHistory = { apiVersion: "security.clawbernetes.com/v1", kind: "SecretHistory", name, currentVersion: secret.spec?.sealed?.version ?? 0, versions };
  sendJson(ctx.res, 200, body);
}

export async function rekeySecret(ctx: RequestContext, deps: VersionDeps): Promise<void> {
  const name = ctx.info.name ?? "";
  const uid = ((await deps.resources().get(deps.secrets, name)) as Secret).metadata.uid ?? "";
  const stale = (await readVersions(deps.store, uid)).filter((r) => r.sealed.keyId !== deps.keyring.primaryId).length;
  const result = await deps.resources().guaranteedUpdate(
    deps.secrets,
    name,
    { fieldManager: fieldManagerOf(ctx), fieldValidation: "Strict", dryRun: false, subresource: undefined, hints: { [REKEY_HINT]: "true" }, ...requester(ctx) },
    (live) => live,
  );
  const body: RekeyResult = { name, keyId: (result.object as Secret).spec?.sealed?.keyId ?? deps.keyring.primaryId, resealed: result.changed ? Math.max(stale, 1) : 0 };
  sendJson(ctx.res, 200, body);
}

export async function secretAccessReview(ctx: RequestContext, deps: VersionDeps): Promise<void> {
  const name = ctx.info.name ?? "";
  const workload = await workloadOf(ctx, deps.maxBodyBytes);
  let secret: Secret | undefined;
  try {
    secret = (await deps.resources().get(deps.secrets, name)) as Secret;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const policies = ((await deps.resources().list(deps.policies)).items as SecretPolicy[]).filter((p) => p.spec?.secret === name);
  const decision = decideAccess({ secretName: name, secret, policies, workload });
  const body: SecretAccessReview = { apiVersion: "security.clawbernetes.com/v1", kind: "SecretAccessReview", name, workload, allowed: decision.allowed, reason: decision.message };
  sendJson(ctx.res, 200, body);
}

const CHARSETS = ["alphanumeric", "hex", "base64url", "printable"];

/** The same bounds as the CRD's spec.valueFrom.generate: 16–4096 characters of a known charset. */
function checkGenerator(name: string, generate: NonNullable<RotateRequest["generate"]>): void {
  const { length, charset, ...rest } = generate as Record<string, unknown>;
  const causes = [];
  if (length !== undefined && (typeof length !== "number" || !Number.isInteger(length) || length < 16 || length > 4096))
    causes.push({ field: "generate.length", reason: "FieldValueInvalid", message: "Invalid value: must be a whole number from 16 to 4096" });
  if (charset !== undefined && (typeof charset !== "string" || !CHARSETS.includes(charset)))
    causes.push({ field: "generate.charset", reason: "FieldValueNotSupported", message: `Unsupported value: supported values: ${CHARSETS.join(", ")}` });
  for (const key of Object.keys(rest)) causes.push({ field: `generate.${key}`, reason: "FieldValueInvalid", message: "Invalid value: unknown field" });
  if (causes.length > 0) throw invalid({ group: GROUP, kind: "RotateRequest", name }, causes);
}

async function jsonBody(ctx: RequestContext, maxBytes: number): Promise<Record<string, unknown>> {
  const mediaType = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "" && mediaType !== "application/json") throw new ApiError(415, "UnsupportedMediaType", `the body must be application/json, not ${mediaType}`);
  const body = decodeBody(await readBody(ctx.req, maxBytes), "application/json");
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body must be a JSON object");
  return body as Record<string, unknown>;
}

const requester = (ctx: RequestContext) => {
  const sourceIp = sourceIpOf(ctx);
  return { ...(ctx.user ? { user: ctx.user } : {}), ...(sourceIp ? { sourceIp } : {}) };
};
const ip = (ctx: RequestContext) => {
  const sourceIp = sourceIpOf(ctx);
  return sourceIp ? { sourceIp } : {};
};
