// The node API's bootstrap-token endpoints (api/types/nodes-api.ts) as typed calls; answers are checked, not
// trusted, and copied field by field, so nothing the server adds (a hash, a secret) is ever printed by accident.

import type { RestClient } from "../../api/client/rest-client.js";
import { BOOTSTRAP_TOKEN, nodesPaths, type BootstrapTokenCreated, type BootstrapTokenInfo, type BootstrapTokenList, type BootstrapTokenRequest } from "../../api/types/nodes-api.js";
import { malformed, num, shape, str, type AnswerObject } from "./answer-shape.js";

export class NodesApi {
  constructor(
    private readonly client: RestClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** A new token; the answer holds the only copy of its secret (nodes:admin). */
  async createToken(request: BootstrapTokenRequest): Promise<BootstrapTokenCreated> {
    const path = nodesPaths.tokens;
    const body = shape(await this.client.requestJson<unknown>({ method: "POST", path, body: request, signal: this.signal }), path);
    const token = str(body, "token", path);
    if (!BOOTSTRAP_TOKEN.test(token)) throw malformed(path, "token");
    return { apiVersion: "security.clawbernetes.com/v1", kind: "BootstrapToken", ...tokenInfo(body, path), token };
  }

  /** The tokens still usable, never their secrets (nodes:admin). */
  async listTokens(): Promise<BootstrapTokenList> {
    const path = nodesPaths.tokens;
    const body = shape(await this.client.requestJson<unknown>({ method: "GET", path, signal: this.signal }), path);
    if (!Array.isArray(body.items)) throw malformed(path, "items");
    return { apiVersion: "security.clawbernetes.com/v1", kind: "BootstrapTokenList", items: body.items.map((item) => tokenInfo(shape(item, path), path)) };
  }

  /** Deletes a token at once; the answer is what it was (nodes:admin). */
  async deleteToken(id: string): Promise<BootstrapTokenInfo> {
    const path = nodesPaths.token(id);
    return tokenInfo(shape(await this.client.requestJson<unknown>({ method: "DELETE", path, signal: this.signal }), path), path);
  }
}

/** The public fields of a token, checked; anything else in the answer is left behind. */
export function tokenInfo(body: AnswerObject, path: string): BootstrapTokenInfo {
  const optional = (field: "node" | "description") => {
    const v = body[field];
    if (v === undefined || v === null || v === "") return {};
    if (typeof v !== "string") throw malformed(path, field);
    return { [field]: v };
  };
  return {
    id: str(body, "id", path),
    expiresAt: str(body, "expiresAt", path),
    usesLeft: num(body, "usesLeft", path),
    ...optional("node"),
    ...optional("description"),
    createdBy: str(body, "createdBy", path),
    createdAt: str(body, "createdAt", path),
  };
}
