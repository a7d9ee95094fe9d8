// The checklist's judges as tables: each case a hardened input with one modifier, and the result it gives.

import { describe, expect, it } from "vitest";
import type { ApiKey } from "../../api/types/api-key.js";
import type { Certificate } from "../../api/types/certificate.js";
import type { Node } from "../../api/types/node.js";
import type { User } from "../../api/types/user.js";
import { criticalFailed } from "../../api/types/security-check-api.js";
import { evaluateSecurityCheck, SECURITY_CHECKS } from "./security-check.js";
import type { SecurityCheckInput } from "./security-check-input.js";
import { jwtSecretEntropyBits } from "./security-check-setup.js";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();
const ready = [{ type: "Ready", status: "True" as const, reason: "Issued", message: "", lastTransitionTime: at(NOW - DAY) }];
const cert = (name: string): Certificate => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec: { commonName: name }, status: { notAfter: at(NOW + 300 * DAY), conditions: ready } }) as Certificate;
const user = (name: string, extra: Partial<NonNullable<User["spec"]>> = {}, status: User["status"] = { lastLoginTime: at(NOW - DAY) }): User => ({ apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name, uid: `uid-${name}` }, spec: { email: `${name}@example.com`, roles: ["viewer"], ...extra }, status });
const key = (name: string, extra: Partial<NonNullable<ApiKey["spec"]>> = {}, status: ApiKey["status"] = { phase: "Active", lastUsedTime: at(NOW - DAY), expiresAt: at(NOW + 30 * DAY) }): ApiKey => ({ apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name }, spec: { displayName: name, owner: "alice", scopes: ["nodes:read"], expiresAt: at(NOW + 30 * DAY), ...extra }, status });
const node = (name: string, mesh: "wireguard" | "none" = "wireguard", withCert = true): Node => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Node", metadata: { name }, spec: {}, status: { ...(withCert ? { certificate: { serialNumber: "01" } } : {}), ...(mesh === "wireguard" ? { mesh: { provider: "wireguard" } } : {}) } }) as Node;

/** A deployment that passes every item. */
function hardened(modify: (i: SecurityCheckInput) => void = () => {}): SecurityCheckInput {
  const input: SecurityCheckInput = {
    nowMs: NOW,
    jwt: { source: "env", secretEnv: "CLAWBERNETES_JWT_SECRET", bytes: 64, estimatedBits: 256 },
    rbacEnabled: true,
    mfaRequiredForRoles: ["admin"],
    mfaEnrolled: new Set(["admin"]),
    tls: { enabled: true, minVersion: "TLSv1.3", requireClientCert: true, ownCertificate: true },
    audit: { enabled: true, hashChain: true, signLogs: true, exportEnabled: true, exportHost: "siem.example.com" },
    ddos: { enabled: true, shadow: false, geoEnabled: true },
    alerts: { enabled: true, webhookHost: "alerts.example.com", rules: ["failed_logins_per_user", "failed_logins_per_source", "forbidden_per_actor", "admin_new_source", "secret_access_denied"] },
    certificates: [cert("clawbernetes-ca"), cert("claw-server-host")],
    nodes: [node("gpu-a")],
    users: [user("admin", { roles: ["admin"] }), user("alice", { roles: ["operator"] }), user("bob")],
    apiKeys: [key("bootstrap-admin", { revoked: true }, { phase: "Revoked" }), key("ci")],
    roles: [{ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "admin" }, spec: { permissions: ["*:*"] } }, { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "viewer" }, spec: { permissions: ["*:read,list"] } }],
    secrets: [{ apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name: "db" }, spec: { rotation: { autoRotate: true, intervalDays: 30 }, allowedWorkloads: ["api"] } }],
    secretPolicies: [],
  };
  modify(input);
  return input;
}

const resultOf = (input: SecurityCheckInput, id: string) => evaluateSecurityCheck(input).items.find((i) => i.id === id)!;

describe("a hardened deployment", () => {
  it("passes every item and scores 100%", () => {
    const report = evaluateSecurityCheck(hardened());
    expect(report.items.filter((i) => i.result !== "pass").map((i) => `${i.id}: ${i.evidence}`)).toEqual([]);
    expect(report.score).toEqual({ passed: SECURITY_CHECKS.length, applicable: SECURITY_CHECKS.length, percent: 100 });
  });
});

const cases: { name: string; id: string; modify: (i: SecurityCheckInput) => void; result: "pass" | "fail" | "n/a"; evidence?: RegExp }[] = [
  { name: "fails alerts when [alerts] is off", id: "alerts", modify: (i) => (i.alerts = { enabled: false, rules: [] }), result: "fail", evidence: /\[alerts\] is off/ },
  { name: "fails alerts that reach no webhook", id: "alerts", modify: (i) => delete i.alerts.webhookHost, result: "fail", evidence: /delivered to no one/ },
  { name: "fails alerts with the failed-login rule per source disabled", id: "alerts", modify: (i) => (i.alerts.rules = ["failed_logins_per_user"]), result: "fail", evidence: /failed_logins_per_source is disabled/ },
  { name: "passes alerts delivered to a webhook, naming only its host", id: "alerts", modify: () => {}, result: "pass", evidence: /alerts\.example\.com/ },
  { name: "fails the JWT secret when the servers generated it in the store", id: "jwt-secret", modify: (i) => (i.jwt = { source: "store" }), result: "fail", evidence: /secret_env is not set/ },
  { name: "fails the JWT secret from the environment under 256 estimated bits", id: "jwt-secret", modify: (i) => (i.jwt = { source: "env", secretEnv: "S", bytes: 32, estimatedBits: 128 }), result: "fail", evidence: /128 bits/ },
  { name: "fails PKI without a root CA", id: "pki", modify: (i) => (i.certificates = []), result: "fail", evidence: /no Certificate clawbernetes-ca/ },
  { name: "fails PKI when the root CA is not Ready", id: "pki", modify: (i) => (i.certificates = [{ ...cert("clawbernetes-ca"), status: {} }]), result: "fail", evidence: /not Ready/ },
  { name: "fails TLS when it is off", id: "tls", modify: (i) => (i.tls = { enabled: false, requireClientCert: false, ownCertificate: false }), result: "fail", evidence: /plain HTTP/ },
  { name: "fails TLS with min_version 1.2", id: "tls", modify: (i) => (i.tls.minVersion = "TLSv1.2"), result: "fail", evidence: /TLSv1.2/ },
  { name: "fails TLS when the serving certificate expired", id: "tls", modify: (i) => (i.certificates = [cert("clawbernetes-ca"), { ...cert("claw-server-host"), status: { notAfter: at(NOW - DAY), conditions: ready } }]), result: "fail", evidence: /expired/ },
  { name: "passes TLS served from an unexpired cert file", id: "tls", modify: (i) => (i.tls = { ...i.tls, ownCertificate: false, fileNotAfter: at(NOW + DAY) }), result: "pass" },
  { name: "fails TLS served from an expired cert file", id: "tls", modify: (i) => (i.tls = { ...i.tls, ownCertificate: false, fileNotAfter: at(NOW - DAY) }), result: "fail" },
  { name: "fails mTLS without require_client_cert", id: "mtls-nodes", modify: (i) => (i.tls.requireClientCert = false), result: "fail", evidence: /require_client_cert is off/ },
  { name: "fails mTLS when a node holds no certificate", id: "mtls-nodes", modify: (i) => (i.nodes = [node("gpu-a"), node("gpu-b", "wireguard", false)]), result: "fail", evidence: /gpu-b/ },
  { name: "passes mTLS with no nodes when client certificates are required", id: "mtls-nodes", modify: (i) => (i.nodes = []), result: "pass", evidence: /no Nodes/ },
  { name: "is n/a for the mesh with no nodes", id: "mesh", modify: (i) => (i.nodes = []), result: "n/a" },
  { name: "fails the mesh when a node reports none", id: "mesh", modify: (i) => (i.nodes = [node("gpu-a"), node("gpu-b", "none")]), result: "fail", evidence: /gpu-b/ },
  { name: "fails audit when it is off", id: "audit", modify: (i) => (i.audit.enabled = false), result: "fail" },
  { name: "fails audit without signed checkpoints", id: "audit", modify: (i) => (i.audit.signLogs = false), result: "fail", evidence: /not signed/ },
  { name: "fails DDoS protection when off", id: "ddos", modify: (i) => (i.ddos.enabled = false), result: "fail" },
  { name: "fails DDoS protection in shadow mode", id: "ddos", modify: (i) => (i.ddos.shadow = true), result: "fail", evidence: /shadow/ },
  { name: "fails geo when off", id: "geo", modify: (i) => (i.ddos.geoEnabled = false), result: "fail" },
  { name: "fails SIEM shipping when [audit.export] is off", id: "siem", modify: (i) => (i.audit.exportEnabled = false), result: "fail" },
  { name: "fails RBAC when off", id: "rbac", modify: (i) => (i.rbacEnabled = false), result: "fail" },
  { name: "fails named accounts while the bootstrap key is live", id: "named-accounts", modify: (i) => (i.apiKeys = [key("bootstrap-admin", { scopes: ["*:*"] })]), result: "fail", evidence: /bootstrap admin key/ },
  { name: "fails named accounts for a user without email", id: "named-accounts", modify: (i) => (i.users = [...i.users, user("shared", { email: "" })]), result: "fail", evidence: /shared/ },
  { name: "fails inactive accounts for a login 100 days ago", id: "inactive-accounts", modify: (i) => (i.users = [...i.users, user("old", {}, { lastLoginTime: at(NOW - 100 * DAY) })]), result: "fail", evidence: /User old/ },
  { name: "fails inactive accounts for a key last used 100 days ago", id: "inactive-accounts", modify: (i) => (i.apiKeys = [...i.apiKeys, key("stale", {}, { phase: "Active", lastUsedTime: at(NOW - 100 * DAY) })]), result: "fail", evidence: /ApiKey stale/ },
  { name: "is n/a for inactive accounts when lastLoginTime is absent", id: "inactive-accounts", modify: (i) => (i.users = [...i.users, user("new", {}, {})]), result: "n/a", evidence: /unknown: 1 User/ },
  { name: "counts a user active through a key they own", id: "inactive-accounts", modify: (i) => { i.users = [...i.users, user("robot", {}, {})]; i.apiKeys = [...i.apiKeys, key("robot-key", { owner: "robot" })]; }, result: "pass" },
  { name: "ignores a disabled user's old login", id: "inactive-accounts", modify: (i) => (i.users = [...i.users, user("gone", { disabled: true }, { lastLoginTime: at(NOW - 400 * DAY) })]), result: "pass" },
  { name: "fails least privilege when another user holds *:*", id: "least-privilege", modify: (i) => (i.users = [...i.users, user("carol", { roles: ["admin"] })]), result: "fail", evidence: /carol/ },
  { name: "judges a disabled user by the roles it holds", id: "least-privilege", modify: (i) => (i.users = [...i.users, user("dave", { roles: ["admin"], disabled: true })]), result: "fail", evidence: /dave/ },
  { name: "fails API keys with a *:* scope", id: "api-key-scopes", modify: (i) => (i.apiKeys = [...i.apiKeys, key("wide", { scopes: ["*:*"] })]), result: "fail", evidence: /wide/ },
  { name: "fails API keys that never expire", id: "api-key-scopes", modify: (i) => (i.apiKeys = [...i.apiKeys, key("forever", { expiresAt: undefined }, { phase: "Active", lastUsedTime: at(NOW) })]), result: "fail", evidence: /never expires \(forever\)/ },
  { name: "does not count an expired key", id: "api-key-scopes", modify: (i) => (i.apiKeys = [...i.apiKeys, key("old", { scopes: ["*:*"], expiresAt: at(NOW - DAY) }, { phase: "Expired" })]), result: "pass" },
  { name: "fails MFA when not required for admin", id: "mfa-admins", modify: (i) => (i.mfaRequiredForRoles = []), result: "fail", evidence: /does not include admin/ },
  { name: "fails MFA when an admin is not enrolled", id: "mfa-admins", modify: (i) => (i.mfaEnrolled = new Set()), result: "fail", evidence: /not enrolled \(admin\)/ },
  { name: "is n/a for secrets when there are none", id: "secret-rotation", modify: (i) => (i.secrets = []), result: "n/a" },
  { name: "fails a secret without auto-rotation", id: "secret-rotation", modify: (i) => (i.secrets = [{ ...i.secrets[0]!, spec: { allowedWorkloads: ["api"] } }]), result: "fail", evidence: /without auto-rotation/ },
  { name: "fails a secret open to every workload", id: "secret-rotation", modify: (i) => (i.secrets = [{ ...i.secrets[0]!, spec: { rotation: { autoRotate: true } } }]), result: "fail", evidence: /neither allowedWorkloads nor a SecretPolicy/ },
  { name: "passes a secret restricted by a SecretPolicy", id: "secret-rotation", modify: (i) => { i.secrets = [{ ...i.secrets[0]!, spec: { rotation: { autoRotate: true } } }]; i.secretPolicies = [{ apiVersion: "security.clawbernetes.com/v1", kind: "SecretPolicy", metadata: { name: "db" }, spec: { secret: "db", allowWorkloads: ["api"] } }]; }, result: "pass" },
];

describe("each item", () => {
  it.each(cases)("$name", ({ id, modify, result, evidence }) => {
    const item = resultOf(hardened(modify), id);
    expect(item.result).toBe(result);
    if (evidence) expect(item.evidence).toMatch(evidence);
  });
});

describe("the score and the exit rule", () => {
  it("counts passed over applicable, leaving n/a out", () => {
    const report = evaluateSecurityCheck(hardened((i) => { i.nodes = []; i.secrets = []; i.ddos.enabled = false; }));
    expect(report.score).toEqual({ passed: SECURITY_CHECKS.length - 3, applicable: SECURITY_CHECKS.length - 2, percent: Math.floor(((SECURITY_CHECKS.length - 3) * 100) / (SECURITY_CHECKS.length - 2)) });
  });
  it("calls a failed critical item critical, and a failed high one not", () => {
    expect(criticalFailed(evaluateSecurityCheck(hardened((i) => (i.audit.enabled = false))).items)).toBe(true);
    expect(criticalFailed(evaluateSecurityCheck(hardened((i) => (i.ddos.enabled = false))).items)).toBe(false);
  });
});

describe("the JWT secret's entropy estimate", () => {
  it.each([
    { name: "openssl rand -hex 32 is 256 bits", secret: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", atLeast: 256 },
    { name: "openssl rand -base64 48 is 384 bits", secret: "q3Vh0n2m9S+eQkXo1bL7zYtR4pWcA8uJdFgHiK5lMnO6rPsT0vU/wxy3CBDEfG1Z", atLeast: 384 },
    { name: "a repeated character is nothing", secret: "a".repeat(64), atMost: 0 },
    { name: "a repeated short phrase is little", secret: "abcabcabcabcabcabcabcabcabcabcabcabc", atMost: 100 },
    { name: "32 hex characters are 128 bits", secret: "9f86d081884c7d659a2feaa0c55ad015", atMost: 128 },
  ])("$name", ({ secret, atLeast, atMost }) => {
    const bits = jwtSecretEntropyBits(secret);
    if (atLeast !== undefined) expect(bits).toBeGreaterThanOrEqual(atLeast);
    if (atMost !== undefined) expect(bits).toBeLessThanOrEqual(atMost);
  });
});
