// The gateway guard's API, shared by the server (api/guard) and the CLI (`claw security`). Blocks are
// BlockRule objects; the reputation of sources is live state of each server, read here.

import { SECURITY_API } from "./auth-api.js";

export const guardPaths = {
  /** GET → ReputationList: the lowest scores this server holds, worst first (`?limit=N`, default 20). Needs blockrules:read. */
  reputation: `${SECURITY_API}/reputation`,
} as const;

export interface SourceReputation {
  /** The source address (IPv4, or IPv6; IPv4-mapped IPv6 is shown as IPv4). */
  source: string;
  /** 0 is neutral; each violation lowers it; it recovers by decay_rate per minute. */
  score: number;
  /** Violations by kind since the server started tracking the source. */
  violations: Record<string, number>;
  /** RFC 3339. */
  lastViolation: string;
  /** Whether a BlockRule blocks it now. */
  blocked: boolean;
}

export interface ReputationList {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "ReputationList";
  /** The server that answered (its host name): each server tracks what it sees. */
  server: string;
  threshold: number;
  items: SourceReputation[];
}

/** The name a BlockRule for one address or CIDR gets from `claw security block` and the auto-blocker. */
export function blockRuleName(cidr: string, source: "manual" | "auto"): string {
  const slug = cidr.toLowerCase().replace(/[^0-9a-f]+/g, "-").replace(/^-+|-+$/g, "");
  return `${source === "auto" ? "auto" : "block"}-${slug}`.slice(0, 253);
}
