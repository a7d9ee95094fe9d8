// Must show: secret values, passwords and tokens never enter an entry. Events carrying them are appended
// to a real on-disk store; then every byte of the database files is scanned for them.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite-store.js";
import type { AuditEvent } from "../client/audit/event.js";
import { startTestLog } from "./testing/audit-fixture.js";

const SECRETS = {
  apiKey: "clk_Q7d9Kx2LmN4pR8sT1vW3yZ5aB6cD0eF2gH4jK6mN8pQ1rS3t",
  jwt: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc2NzIyNTYwMH0.Zm9yZ2VkLXNpZ25hdHVyZS1ieXRlcy1oZXJl",
  password: "correct-horse-battery-staple-71",
  secretValue: "postgres://admin:Pa55w0rd-in-a-secret@db:5432/app",
  privateKey: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----",
  bearer: "opaque-session-cookie-value-0042",
};

const EVENTS: AuditEvent[] = [
  { type: "auth.login", actor: "user:alice", outcome: "failure", details: { password: SECRETS.password, reason: "bad password" } },
  { type: "auth.login", actor: SECRETS.apiKey, outcome: "failure", details: { presented: SECRETS.apiKey, header: `Bearer ${SECRETS.bearer}` } },
  { type: "auth.apikey.created", actor: "user:alice", outcome: "success", resource: { group: "security.clawbernetes.com", kind: "ApiKey", name: "ci" }, details: { secret: SECRETS.apiKey, keyId: "ak_Q7d9Kx2LmN4pR8sT1vW3" } },
  { type: "auth.logout", actor: "user:alice", outcome: "success", details: { token: SECRETS.jwt, note: `session ${SECRETS.jwt} ended` } },
  { type: "secrets.created", actor: "user:alice", outcome: "success", resource: { group: "security.clawbernetes.com", kind: "Secret", name: "db-url" }, details: { spec: { value: SECRETS.secretValue, allowedWorkloads: ["api"] } } },
  { type: "secrets.rotated", actor: "system:controller", outcome: "success", resource: { group: "security.clawbernetes.com", kind: "Secret", name: "db-url" }, details: { previousValue: SECRETS.secretValue, value: SECRETS.secretValue } },
  { type: "certificates.issued", actor: "system:controller", outcome: "success", details: { key: SECRETS.privateKey, cookie: SECRETS.bearer } },
  { type: "security.violation", actor: "anonymous", outcome: "failure", sourceIp: "203.0.113.5", details: { authorization: `Bearer ${SECRETS.jwt}`, credentials: { password: SECRETS.password } } },
];

describe("secrets never reach the audit log", () => {
  const dir = mkdtempSync(join(tmpdir(), "claw-audit-secrets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stores events that carried API keys, JWTs, passwords, secret values and private keys without any of them", async () => {
    const store = openSqliteStore({ path: join(dir, "store.db") });
    const t = await startTestLog({ store });
    const results = await Promise.all(EVENTS.map((e) => t.log.append(e)));
    expect(results.map((r) => r.seq)).toEqual(EVENTS.map((_, i) => i + 1));
    await t.close();
    await store.close();

    const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from("auth.apikey.created"))).toBe(true); // the entries are there…
    const found = Object.entries(SECRETS).filter(([, secret]) => bytes.includes(Buffer.from(secret)) || bytes.includes(Buffer.from(JSON.stringify(secret).slice(1, -1))));
    expect(found.map(([name]) => name)).toEqual([]); // …and none of the secrets
    // Not even a recognisable piece of them.
    for (const secret of Object.values(SECRETS)) expect(bytes.includes(Buffer.from(secret.slice(8, 30)))).toBe(false);
  });
});
