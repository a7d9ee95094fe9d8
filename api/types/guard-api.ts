// The gateway guard's API, shared by the server (api/guard) and the CLI (`claw security`). Blocks are
// BlockRule objects; the reputation of sources is live state of each server, read here.

import { expandedIp, parseCidr } from "../machinery/ip-address.js";
import { SECURITY_API } from "./auth-api.js";

export const guardPaths = {
  /** GET → ReputationList: the lowest scores this server holds, worst first (`?limit=N`, default 20). Needs blockrules:read. */
  reputation: `${SECURITY_API}/reputation`,
} as const;

/**
 * Who asked for a manual block: `claw security block` sets it to the caller's username (from whoami). For
 * people reading the blocklist; the audit log is the authoritative record of who wrote the rule.
 */
export const BLOCKED_BY_ANNOTATION = "security.clawbernetes.com/blocked-by";

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

/**
 * The name a BlockRule for one address or CIDR gets from `claw security block` and the auto-blocker. Every
 * spelling of one block gets one name, and distinct blocks distinct names: the block is canonicalized (host
 * bits masked, IPv4-mapped IPv6 as IPv4) and IPv6 is written out in full before slugging, so `2001:db8::1`
 * and `2001:db8:1::` differ. A host is its address alone: block-203-0-113-42, block-10-0-0-0-8,
 * block-2001-0db8-0000-0000-0000-0000-0000-0001. Text that is no address keeps the plain slug.
 */
export function blockRuleName(cidr: string, source: "manual" | "auto"): string {
  const parsed = parseCidr(cidr);
  const host = parsed !== undefined && parsed.prefix === (parsed.family === 4 ? 32 : 128);
  const text = parsed ? `${expandedIp(parsed)}${host ? "" : `/${parsed.prefix}`}` : cidr;
  const slug = text.toLowerCase().replace(/[^0-9a-f]+/g, "-").replace(/^-+|-+$/g, "");
  return `${source === "auto" ? "auto" : "block"}-${slug}`.slice(0, 253);
}
