// What `claw audit verify --data-dir | --etcd-endpoints` needs from outside the CLI: the audit log read
// straight from a store. The entry point (cmd/claw.ts) supplies it; the CLI never imports a store.

import type { BatchSource } from "../../api/client/audit/verify-log.js";

export interface ForensicTarget {
  dataDir?: string;
  etcdEndpoints?: string[];
  etcdPrefix?: string;
}

export interface ForensicAuditSource {
  source: BatchSource;
  headSeq: number;
  publishedKeyPems(): Promise<string[]>;
  close(): Promise<void>;
}

export type OpenForensicAuditSource = (target: ForensicTarget) => Promise<ForensicAuditSource>;
