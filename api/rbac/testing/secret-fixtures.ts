// Builders for the secret access tests: a Secret and a SecretPolicy, each with modifiers.

import type { Secret } from "../../types/secret.js";
import type { SecretPolicy, SecretPolicySpec } from "../../types/secret-policy.js";

export const DELETED_AT = "2026-03-01T12:00:00Z";

export type SecretModifier = (s: Secret) => void;
export function secret(name: string, ...mods: SecretModifier[]): Secret {
  const s: Secret = { apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name }, spec: { valueFrom: { generate: {} } } };
  for (const mod of mods) mod(s);
  return s;
}
export const allowed = (...names: string[]): SecretModifier => (s) => void (s.spec = { ...s.spec, allowedWorkloads: names });
export const deletingSecret: SecretModifier = (s) => void (s.metadata.deletionTimestamp = DELETED_AT);

export type PolicyModifier = (p: SecretPolicy) => void;
export function policy(name: string, spec: Partial<SecretPolicySpec> = {}, ...mods: PolicyModifier[]): SecretPolicy {
  const p: SecretPolicy = { apiVersion: "security.clawbernetes.com/v1", kind: "SecretPolicy", metadata: { name }, spec: { secret: "db", ...spec } };
  for (const mod of mods) mod(p);
  return p;
}
export const deletingPolicy: PolicyModifier = (p) => void (p.metadata.deletionTimestamp = DELETED_AT);
