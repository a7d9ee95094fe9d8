// The identity API's imperative endpoints (api/auth/endpoints.ts) as typed calls; answers are checked, not trusted.

import {
  authPaths,
  type AccessReview,
  type ApiKeySecret,
  type LoginRequest,
  type RefreshRequest,
  type SessionToken,
  type SetPasswordRequest,
  type WhoAmI,
} from "../../api/types/auth-api.js";
import type { RestClient } from "../../api/client/rest-client.js";
import { malformed, shape, str, type AnswerObject } from "./answer-shape.js";

export class AuthApi {
  constructor(
    private readonly client: RestClient,
    private readonly signal?: AbortSignal,
  ) {}

  async login(req: LoginRequest): Promise<SessionToken> {
    return sessionToken(await this.post(authPaths.login, req), authPaths.login);
  }

  async refresh(req: RefreshRequest = {}): Promise<SessionToken> {
    return sessionToken(await this.post(authPaths.refresh, req), authPaths.refresh);
  }

  async logout(): Promise<void> {
    await this.post(authPaths.logout, {});
  }

  async whoami(): Promise<WhoAmI> {
    const body = shape(await this.client.requestJson<unknown>({ method: "GET", path: authPaths.whoami, signal: this.signal }), authPaths.whoami);
    return {
      ...(body as unknown as WhoAmI),
      username: str(body, "username", authPaths.whoami),
      roles: strings(body.roles),
      permissions: strings(body.permissions),
    };
  }

  async review(spec: AccessReview["spec"]): Promise<{ allowed: boolean; reason: string }> {
    const review: AccessReview = { apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec };
    const body = shape(await this.post(authPaths.accessReview, review), authPaths.accessReview);
    const status = body.status as AnswerObject | undefined;
    if (typeof status?.allowed !== "boolean") throw malformed(authPaths.accessReview, "status.allowed");
    return { allowed: status.allowed, reason: typeof status.reason === "string" ? status.reason : "" };
  }

  async setPassword(user: string, req: SetPasswordRequest): Promise<void> {
    await this.post(authPaths.userPassword(user), req);
  }

  /** The key's secret, which the server gives exactly once. */
  async apiKeySecret(name: string): Promise<ApiKeySecret> {
    return apiKeySecret(await this.post(authPaths.apiKeySecret(name), {}), authPaths.apiKeySecret(name));
  }

  async rotateApiKey(name: string): Promise<ApiKeySecret> {
    return apiKeySecret(await this.post(authPaths.apiKeyRotate(name), {}), authPaths.apiKeyRotate(name));
  }

  private post(path: string, body: unknown): Promise<unknown> {
    return this.client.requestJson<unknown>({ method: "POST", path, body, signal: this.signal });
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function sessionToken(raw: unknown, path: string): SessionToken {
  const body = shape(raw, path);
  return { token: str(body, "token", path), expiresAt: str(body, "expiresAt", path), maxExpiresAt: str(body, "maxExpiresAt", path), username: str(body, "username", path) };
}

function apiKeySecret(raw: unknown, path: string): ApiKeySecret {
  const body = shape(raw, path);
  const secret = str(body, "secret", path);
  if (!secret.startsWith("clk_")) throw malformed(path, "secret");
  return {
    keyId: str(body, "keyId", path),
    secret,
    name: str(body, "name", path),
    displayName: str(body, "displayName", path),
    scopes: strings(body.scopes),
    ...(typeof body.expiresAt === "string" && body.expiresAt ? { expiresAt: body.expiresAt } : {}),
  };
}
