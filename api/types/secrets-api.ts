// The secrets API's imperative endpoints, shared by the server (api/secrets) and the CLI (`claw secrets`,
// `claw run`). Secrets and SecretPolicies themselves are ordinary resources; these exist only where a
// declarative write cannot serve: releasing a value, rotating it, its history, rekeying, and explaining a
// decision. Bodies are JSON; errors are Status objects.

import { SECURITY_API } from "./auth-api.js";

const secretPath = (name: string, sub: string) => `${SECURITY_API}/secrets/${encodeURIComponent(name)}/${sub}`;

export const secretsPaths = {
  /** POST ReleaseRequest → SecretValue. Needs workloads:execute; the Secret or a SecretPolicy must allow the workload (deny wins). Audited. */
  release: (name: string) => secretPath(name, "release"),
  /** POST (no body) → SecretValue. Needs secrets:admin: a person reading the value. Audited. */
  reveal: (name: string) => secretPath(name, "reveal"),
  /** POST RotateRequest → SecretVersionInfo: a new version from a value or the generator. Needs secrets:update. Audited as secrets.rotated. */
  rotate: (name: string) => secretPath(name, "rotate"),
  /** GET → SecretHistory: every kept version, newest last, never values. Needs secrets:read. */
  history: (name: string) => secretPath(name, "history"),
  /** POST (no body) → RekeyResult: the current and kept versions re-sealed under the primary master key. Needs secrets:admin. Idempotent. */
  rekey: (name: string) => secretPath(name, "rekey"),
  /** POST ReleaseRequest → SecretAccessReview: whether the workload may read the value and the rule that decides. Needs secrets:read. */
  accessReview: (name: string) => secretPath(name, "accessreview"),
} as const;

export interface WorkloadIdentity {
  /** A lowercase RFC 1123 subdomain such as api-server. */
  name: string;
  labels?: Record<string, string>;
}

export interface ReleaseRequest {
  workload: WorkloadIdentity;
}

export interface SecretValue {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "SecretValue";
  name: string;
  version: number;
  /** The value, UTF-8. */
  value: string;
}

/** Exactly one of value and generate. */
export interface RotateRequest {
  value?: string;
  generate?: { length?: number; charset?: "alphanumeric" | "hex" | "base64url" | "printable" };
}

export interface SecretVersionInfo {
  version: number;
  createdAt: string;
  /** Value (a client sent it), Generated, or Rotated (automatic rotation). */
  source: "Value" | "Generated" | "Rotated";
  /** Who made it: a user name or system:controller-manager. */
  actor: string;
  keyId: string;
  /** For a generated version: the generator, so automatic rotation makes values of the same shape. */
  generator?: { length?: number; charset?: "alphanumeric" | "hex" | "base64url" | "printable" };
}

export interface SecretHistory {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "SecretHistory";
  name: string;
  currentVersion: number;
  versions: SecretVersionInfo[];
}

export interface RekeyResult {
  name: string;
  /** The key every kept version is sealed under now. */
  keyId: string;
  /** How many versions were re-sealed (0 when all already were). */
  resealed: number;
}

export interface SecretAccessReview {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "SecretAccessReview";
  name: string;
  workload: WorkloadIdentity;
  allowed: boolean;
  /** The deciding rule, in words: `denied by SecretPolicy "db" spec.denyWorkloads: "debug-container"`. */
  reason: string;
}
