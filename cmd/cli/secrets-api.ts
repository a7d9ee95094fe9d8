// The secrets API's imperative endpoints (api/types/secrets-api.ts) as typed calls; answers are checked, not trusted.

import { auditPaths, type WorkloadEvent } from "../../api/types/audit-api.js";
import type { RestClient } from "../../api/client/rest-client.js";
import {
  secretsPaths,
  type RekeyResult,
  type RotateRequest,
  type SecretAccessReview,
  type SecretHistory,
  type SecretValue,
  type SecretVersionInfo,
  type WorkloadIdentity,
} from "../../api/types/secrets-api.js";
import { malformed, shape, str, num, type AnswerObject } from "./answer-shape.js";

export class SecretsApi {
  constructor(
    private readonly client: RestClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** The value, released to `workload` (the caller needs workloads:execute, the workload a rule that allows it). */
  async release(name: string, workload: WorkloadIdentity): Promise<SecretValue> {
    return secretValue(await this.post(secretsPaths.release(name), { workload }), secretsPaths.release(name));
  }

  /** Records workload.started or workload.stopped (the caller needs workloads:execute); not cut short by Ctrl-C, which is what ends a run. */
  async workloadEvent(event: WorkloadEvent): Promise<void> {
    await this.client.requestJson<unknown>({ method: "POST", path: auditPaths.workloadEvents, body: event });
  }

  /** The value, for a person holding secrets:admin. */
  async reveal(name: string): Promise<SecretValue> {
    return secretValue(await this.post(secretsPaths.reveal(name), {}), secretsPaths.reveal(name));
  }

  async rotate(name: string, req: RotateRequest): Promise<SecretVersionInfo> {
    const path = secretsPaths.rotate(name);
    return versionInfo(shape(await this.post(path, req), path), path);
  }

  async history(name: string): Promise<SecretHistory> {
    const path = secretsPaths.history(name);
    const body = shape(await this.client.requestJson<unknown>({ method: "GET", path, signal: this.signal }), path);
    if (!Array.isArray(body.versions)) throw malformed(path, "versions");
    return {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "SecretHistory",
      name: str(body, "name", path),
      currentVersion: num(body, "currentVersion", path),
      versions: body.versions.map((v) => versionInfo(shape(v, path), path)),
    };
  }

  async rekey(name: string): Promise<RekeyResult> {
    const path = secretsPaths.rekey(name);
    const body = shape(await this.post(path, {}), path);
    return { name: str(body, "name", path), keyId: str(body, "keyId", path), resealed: num(body, "resealed", path) };
  }

  async accessReview(name: string, workload: WorkloadIdentity): Promise<SecretAccessReview> {
    const path = secretsPaths.accessReview(name);
    const body = shape(await this.post(path, { workload }), path);
    if (typeof body.allowed !== "boolean") throw malformed(path, "allowed");
    return {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "SecretAccessReview",
      name: str(body, "name", path),
      workload,
      allowed: body.allowed,
      reason: typeof body.reason === "string" ? body.reason : "",
    };
  }

  private post(path: string, body: unknown): Promise<unknown> {
    return this.client.requestJson<unknown>({ method: "POST", path, body, signal: this.signal });
  }
}

const SOURCES = new Set<SecretVersionInfo["source"]>(["Value", "Generated", "Rotated"]);
const isSource = (v: unknown): v is SecretVersionInfo["source"] => typeof v === "string" && SOURCES.has(v as SecretVersionInfo["source"]);

function versionInfo(body: AnswerObject, path: string): SecretVersionInfo {
  if (!isSource(body.source)) throw malformed(path, "source");
  return { version: num(body, "version", path), createdAt: typeof body.createdAt === "string" ? body.createdAt : "", source: body.source, actor: str(body, "actor", path), keyId: str(body, "keyId", path) };
}

function secretValue(raw: unknown, path: string): SecretValue {
  const body = shape(raw, path);
  // An empty value is possible only if the server allowed one; the field itself must be a string.
  if (typeof body.value !== "string") throw malformed(path, "value");
  return { apiVersion: "security.clawbernetes.com/v1", kind: "SecretValue", name: str(body, "name", path), version: num(body, "version", path), value: body.value };
}
