// The guard's imperative endpoint (api/types/guard-api.ts) as a typed call; the answer is checked, not trusted.

import type { RestClient } from "../../api/client/rest-client.js";
import { guardPaths, type ReputationList, type SourceReputation } from "../../api/types/guard-api.js";
import { malformed, shape, str, type AnswerObject } from "./answer-shape.js";

export class SecurityApi {
  constructor(
    private readonly client: RestClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** The lowest reputations the answering server holds, worst first (needs blockrules:read). */
  async reputation(opts: { limit?: number } = {}): Promise<ReputationList> {
    const path = guardPaths.reputation;
    const raw = await this.client.requestJson<unknown>({ method: "GET", path, ...(opts.limit !== undefined ? { query: { limit: opts.limit } } : {}), signal: this.signal });
    return reputationList(raw, path);
  }
}

/** A ReputationList from an answer, every field checked. */
export function reputationList(raw: unknown, path: string): ReputationList {
  const body = shape(raw, path);
  if (!Array.isArray(body.items)) throw malformed(path, "items");
  if (typeof body.threshold !== "number") throw malformed(path, "threshold");
  return {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "ReputationList",
    server: typeof body.server === "string" ? body.server : "",
    threshold: body.threshold,
    items: body.items.map((item) => sourceReputation(shape(item, path), path)),
  };
}

function sourceReputation(body: AnswerObject, path: string): SourceReputation {
  if (typeof body.score !== "number" || !Number.isFinite(body.score)) throw malformed(path, "items[].score");
  if (typeof body.blocked !== "boolean") throw malformed(path, "items[].blocked");
  const violations = shape(body.violations ?? {}, path);
  const counts: Record<string, number> = {};
  for (const [kind, count] of Object.entries(violations)) {
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) throw malformed(path, `items[].violations.${kind}`);
    counts[kind] = count;
  }
  return { source: str(body, "source", path), score: body.score, violations: counts, lastViolation: typeof body.lastViolation === "string" ? body.lastViolation : "", blocked: body.blocked };
}
