// `GET /apis/security.clawbernetes.com/v1/clusterstatus` and `claw status`: the deployment at a glance, as the
// answering server sees it. Each section is computed only when the caller may read what it summarizes (the
// permission named beside it); otherwise it is `{ permitted: false, needs }`, so status never shows more than
// the caller could list for themselves.

import { SECURITY_API } from "./auth-api.js";

export const clusterStatusPath = `${SECURITY_API}/clusterstatus`;

/** Certificates and API keys that end within this many days are listed as near expiry. */
export const EXPIRY_WINDOW_DAYS = 14;

/** A section the caller may not read: the permission it needs. */
export interface NotPermitted {
  permitted: false;
  needs: string;
}

export type Section<T> = ({ permitted: true } & T) | NotPermitted;

export const isPermitted = <T>(section: Section<T>): section is { permitted: true } & T => section.permitted;

/** One `claw server` process sharing the store, from the record it renews while it runs. */
export interface ServerReplica {
  id: string;
  /** claw's gitVersion, such as v1.32.0-claw.0.1.0. */
  version: string;
  url: string;
  /** RFC 3339. */
  startedAt: string;
  lastSeen: string;
  /** healthy: renewed within the stale threshold; stale: it stopped renewing (killed, or cut off from the store). */
  health: "healthy" | "stale";
  /** The replica answering this request. */
  self: boolean;
}

export interface ServersSection {
  items: ServerReplica[];
  /** A replica whose record is older than this is stale. */
  staleAfterSeconds: number;
}

export interface StoreSection {
  backend: "sqlite" | "etcd";
  healthy: boolean;
  /** One ping's round trip from the answering server, in milliseconds (two decimals). */
  pingMs?: number;
  revision?: number;
  /** Why it is unhealthy. */
  error?: string;
}

export interface ControllerSection {
  /** The Lease the controller managers elect their leader by. */
  lease: string;
  /** The holder; absent when nobody holds it (no controller manager runs, or the last one stopped). */
  leader?: string;
  /** RFC 3339. */
  renewTime?: string;
  /** True when the holder renewed within its lease duration. */
  current: boolean;
  leaseTransitions?: number;
}

/** How many objects of a kind have Ready True, False and Unknown (no Ready condition counts as Unknown). */
export interface KindReadiness {
  kind: string;
  plural: string;
  total: number;
  ready: number;
  notReady: number;
  unknown: number;
}

export interface NodesSection {
  connected: number;
  total: number;
}

export interface ExpiringItem {
  name: string;
  /** RFC 3339. */
  expiresAt: string;
  /** Whole days left, rounded down; negative once past. */
  daysLeft: number;
}

export interface ExpiringSection {
  withinDays: number;
  items: ExpiringItem[];
}

export interface BlockRulesSection {
  active: number;
  total: number;
}

export interface AuditSection {
  enabled: boolean;
  headSeq: number;
  /** [audit.export]: absent when shipping to a SIEM is off. */
  export?: { cursorSeq: number; lag: number; holder?: string };
}

export interface ClusterStatus {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "ClusterStatus";
  /** RFC 3339, by the answering server's clock. */
  observedAt: string;
  servers: Section<ServersSection>;
  store: Section<StoreSection>;
  controllers: Section<ControllerSection>;
  /** Per kind the caller may list; kinds they may not list are named in `notPermitted`. */
  resources: { items: KindReadiness[]; notPermitted: string[] };
  nodes: Section<NodesSection>;
  certificates: Section<ExpiringSection>;
  apiKeys: Section<ExpiringSection>;
  blockRules: Section<BlockRulesSection>;
  audit: Section<AuditSection>;
}

/** The permission each section needs (the controller Lease, like every leases route, needs *:admin). */
export const SECTION_PERMISSIONS = {
  servers: "metrics:read",
  store: "metrics:read",
  controllers: "*:admin",
  nodes: "nodes:list",
  certificates: "certificates:list",
  apiKeys: "apikeys:list",
  blockRules: "blockrules:list",
  audit: "audit:read",
} as const;
