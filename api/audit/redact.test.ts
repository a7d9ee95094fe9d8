import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../client/audit/event.js";
import { isSensitiveKey, looksSecret, REDACTED, redactText, sanitizeEvent, sanitizeIp } from "./redact.js";

const NOW = Date.parse("2026-02-01T10:00:00.250Z");
const API_KEY = "clk_ABCDEFGHIJ0123456789abcdefghijklmnopqrstuvwxyz012345";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

const event = (modify: (e: AuditEvent) => void): AuditEvent => {
  const e: AuditEvent = { type: "auth.login", actor: "user:alice", outcome: "success" };
  modify(e);
  return e;
};

describe("redactText", () => {
  const cases: { name: string; text: string; want: string }[] = [
    { name: "redacts a claw API key inside a sentence", text: `bad key ${API_KEY} presented`, want: `bad key ${REDACTED} presented` },
    { name: "redacts a JWT", text: `token=${JWT}`, want: `token=${REDACTED}` },
    { name: "redacts a bearer header but keeps the scheme", text: "Authorization: Bearer s3cr3t-t0ken-value", want: `Authorization: Bearer ${REDACTED}` },
    { name: "redacts a PEM private key", text: "-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----", want: REDACTED },
    { name: "keeps an API key id (ak_…), which is not a secret", text: "apikey:ak_0123456789abcdefghij", want: "apikey:ak_0123456789abcdefghij" },
    { name: "keeps ordinary words", text: "clk_ is the prefix; eyJ starts JSON", want: "clk_ is the prefix; eyJ starts JSON" },
  ];
  for (const c of cases) it(c.name, () => expect(redactText(c.text)).toBe(c.want));
  it("says whether text looks secret", () => expect([looksSecret(API_KEY), looksSecret("alice")]).toEqual([true, false]));
});

describe("isSensitiveKey", () => {
  const sensitive = ["password", "newPassword", "client_secret", "token", "refreshToken", "apiKey", "api_key", "privateKey", "Authorization", "cookie", "signature", "credentials"];
  const harmless = ["secretName", "tokenId", "apiKeyId", "tokenExpiry", "secretVersion", "passwordLength", "keyId", "reason", "username"];
  for (const key of sensitive) it(`treats ${key} as holding a secret`, () => expect(isSensitiveKey(key)).toBe(true));
  for (const key of harmless) it(`lets ${key} through`, () => expect(isSensitiveKey(key)).toBe(false));
});

describe("sanitizeEvent", () => {
  const cases: { name: string; event: AuditEvent; check: (e: ReturnType<typeof sanitizeEvent>) => void }[] = [
    {
      name: "stamps the time in RFC 3339 with milliseconds",
      event: event(() => {}),
      check: (e) => expect(e.time).toBe("2026-02-01T10:00:00.250Z"),
    },
    {
      name: "replaces password, token and secret fields at any depth",
      event: event((e) => (e.details = { password: "hunter2", nested: { token: JWT, list: [{ clientSecret: "x" }] }, reason: "ok" })),
      check: (e) => expect(e.details).toEqual({ password: REDACTED, nested: { token: REDACTED, list: [{ clientSecret: REDACTED }] }, reason: "ok" }),
    },
    {
      name: "drops a Secret's value fields",
      event: event((e) => ((e.resource = { group: "security.clawbernetes.com", kind: "Secret", name: "db" }), (e.details = { spec: { value: "p@ss", allowedWorkloads: ["a"] }, data: { k: "v" } }))),
      check: (e) => expect(e.details).toEqual({ spec: { value: REDACTED, allowedWorkloads: ["a"] }, data: REDACTED }),
    },
    {
      name: "keeps a value field of events about other kinds",
      event: event((e) => ((e.resource = { group: "", kind: "Role" }), (e.details = { value: 3 }))),
      check: (e) => expect(e.details).toEqual({ value: 3 }),
    },
    {
      name: "redacts a secret that was used as the actor or a resource name",
      event: event((e) => ((e.actor = API_KEY), (e.resource = { group: "", kind: "ApiKey", name: JWT }))),
      check: (e) => expect([e.actor, e.resource?.name]).toEqual([REDACTED, REDACTED]),
    },
    {
      name: "keeps only an IP address as the source, IPv4-mapped shown as IPv4",
      event: event((e) => (e.sourceIp = "::ffff:10.1.2.3")),
      check: (e) => expect(e.sourceIp).toBe("10.1.2.3"),
    },
    {
      name: "trims long strings, deep objects and long lists",
      event: event((e) => (e.details = { long: "x".repeat(2000), deep: { a: { b: { c: { d: 1 } } } }, list: Array.from({ length: 40 }, (_, i) => i) })),
      check: (e) => {
        expect((e.details.long as string).length).toBe(512);
        expect(e.details.deep).toEqual({ a: { b: { c: "[truncated]" } } });
        expect((e.details.list as unknown[]).length).toBe(33);
      },
    },
    {
      name: "turns values JSON cannot hold into strings and drops functions",
      event: event((e) => (e.details = { n: Number.NaN, big: 10n, f: () => 1, when: new Date(0) })),
      check: (e) => expect(e.details).toEqual({ n: "NaN", big: "10", when: "1970-01-01T00:00:00.000Z" }),
    },
  ];
  for (const c of cases) it(c.name, () => c.check(sanitizeEvent(c.event, NOW)));

  it("refuses an outcome that is not success, failure or denied", () => {
    expect(() => sanitizeEvent(event((e) => ((e as { outcome: string }).outcome = "maybe")), NOW)).toThrow(/not one of success, failure, denied/);
  });

  it("keeps only IP addresses as source", () => expect([sanitizeIp("2001:db8::1"), sanitizeIp("not an ip"), sanitizeIp(undefined)]).toEqual(["2001:db8::1", "", ""]));
});
