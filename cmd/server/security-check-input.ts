// What the security check judges: the server's parsed configuration and the objects it holds, gathered once
// (security-check-gather.ts) so each item below is a pure function of it and is tested with tables.

import type { ApiKey } from "../../api/types/api-key.js";
import type { Certificate } from "../../api/types/certificate.js";
import type { Node } from "../../api/types/node.js";
import type { Role } from "../../api/types/role.js";
import type { Secret } from "../../api/types/secret.js";
import type { SecretPolicy } from "../../api/types/secret-policy.js";
import type { SecurityCheckItem } from "../../api/types/security-check-api.js";
import type { User } from "../../api/types/user.js";

export interface JwtSecretFacts {
  /** env: [auth.jwt] secret_env; store: generated once by the servers and kept in the store. */
  source: "env" | "store";
  secretEnv?: string;
  /** Estimated entropy of the env secret (jwtSecretEntropyBits); never the secret itself. */
  estimatedBits?: number;
  bytes?: number;
}

export interface TlsFacts {
  enabled: boolean;
  minVersion?: string;
  requireClientCert: boolean;
  /** The server serves its own Certificate (api/pki) rather than [tls] cert/key files. */
  ownCertificate: boolean;
  /** The [tls] cert file's expiry, when files are named. */
  fileNotAfter?: string;
}

export interface SecurityCheckInput {
  nowMs: number;
  jwt: JwtSecretFacts;
  rbacEnabled: boolean;
  mfaRequiredForRoles: readonly string[];
  /** Users (by name) whose TOTP MFA is enrolled and confirmed. */
  mfaEnrolled: ReadonlySet<string>;
  tls: TlsFacts;
  audit: { enabled: boolean; hashChain: boolean; signLogs: boolean; exportEnabled: boolean; exportHost?: string };
  ddos: { enabled: boolean; shadow: boolean; geoEnabled: boolean };
  /** [alerts]: on, and where alerts are delivered (only the webhook's host). */
  alerts: { enabled: boolean; webhookHost?: string; rules: readonly string[] };
  certificates: readonly Certificate[];
  nodes: readonly Node[];
  users: readonly User[];
  apiKeys: readonly ApiKey[];
  roles: readonly Role[];
  secrets: readonly Secret[];
  secretPolicies: readonly SecretPolicy[];
}

/** One checklist item: its fixed facts, and a judge that gives the result and the evidence. */
export interface CheckDefinition {
  id: string;
  title: string;
  section: string;
  severity: SecurityCheckItem["severity"];
  remediation: string;
  judge(input: SecurityCheckInput): { result: SecurityCheckItem["result"]; evidence: string };
}

export const pass = (evidence: string) => ({ result: "pass" as const, evidence });
export const fail = (evidence: string) => ({ result: "fail" as const, evidence });
export const notApplicable = (evidence: string) => ({ result: "n/a" as const, evidence });

/** "a, b, c and 4 more": names in evidence, bounded. */
export function nameList(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
