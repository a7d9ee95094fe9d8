import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { auditPaths, type AuditEventList, type AuditLogHeader, type AuditStatus, type PublicKeyList } from "../types/audit-api.js";
import { ChainVerifier } from "../client/audit/chain-verifier.js";
import { parsePublicKeys } from "../client/audit/checkpoint.js";
import type { AuditEvent } from "../client/audit/event.js";
import { OPERATOR_TOKEN, startAuditServer, type AuditServer } from "./testing/audit-server.js";

/** 60 events, one a minute from 2026-02-01T00:00Z: alice logs in every third minute, bob is denied every fifth. */
const eventAt = (i: number): AuditEvent => {
  const at = Date.parse("2026-02-01T00:00:00Z") + i * 60_000;
  if (i % 3 === 0) return { type: "auth.login", actor: "alice", sourceIp: "10.0.0.1", outcome: "success", at };
  if (i % 5 === 0) return { type: "security.violation", actor: "bob", outcome: "denied", details: { status: 403 }, at };
  return { type: "resource.updated", actor: "carol", resource: { group: "security.clawbernetes.com", kind: "Role", name: `r${i}` }, outcome: "success", at };
};

describe("audit routes", () => {
  let s: AuditServer;
  beforeAll(async () => {
    const clock = new FakeClock(Date.parse("2026-02-01T00:00:00Z"));
    s = await startAuditServer({ clock, maxBatchEntries: 7 });
    for (let i = 0; i < 60; i++) {
      await s.t.log.append(eventAt(i));
      clock.step(60_000);
    }
  });
  afterAll(async () => s?.stop());

  const list = async (query: string): Promise<AuditEventList> => {
    const res = await s.get(`${auditPaths.events}?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as AuditEventList;
  };

  const cases: { name: string; query: string; want: (l: AuditEventList) => void }[] = [
    {
      name: "answers the last N events of a type, oldest first",
      query: "last=3&type=auth.login",
      want: (l) => expect(l.items.map((e) => e.seq)).toEqual([52, 55, 58]),
    },
    {
      name: "filters by user, matching the actor's name",
      query: "user=bob&last=100",
      want: (l) => expect(l.items.every((e) => e.actor === "bob") && l.items.length).toBe(8),
    },
    {
      name: "filters by a time window, bounds included",
      query: "since=2026-02-01T00:10:00Z&until=2026-02-01T00:12:00Z",
      want: (l) => expect(l.items.map((e) => e.time)).toEqual(["2026-02-01T00:10:00.000Z", "2026-02-01T00:11:00.000Z", "2026-02-01T00:12:00.000Z"]),
    },
    {
      name: "combines last with a time window",
      query: "last=2&type=auth.login&until=2026-02-01T00:20:00Z",
      want: (l) => expect(l.items.map((e) => e.seq)).toEqual([16, 19]),
    },
    {
      name: "accepts families and comma-separated types",
      query: "type=auth.*,security.violation&limit=1000",
      want: (l) => expect(new Set(l.items.map((e) => e.type))).toEqual(new Set(["auth.login", "security.violation"])),
    },
    {
      name: "reports the head and first retained seq",
      query: "last=1",
      want: (l) => expect(l.metadata).toMatchObject({ headSeq: 60, firstSeq: 1 }),
    },
  ];
  for (const c of cases) it(c.name, async () => c.want(await list(c.query)));

  it("pages forward with afterSeq and continue until the query is complete", async () => {
    const seqs: number[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await list(`type=resource.updated&limit=10${after ? `&afterSeq=${after}` : ""}`);
      seqs.push(...page.items.map((e) => e.seq));
      after = page.metadata.continue;
      if (!after) break;
    }
    const want = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 !== 0 && i % 5 !== 0).map((i) => i + 1);
    expect(seqs).toEqual(want);
  });

  const badRequests: { name: string; query: string; message: RegExp }[] = [
    { name: "a time that is not RFC 3339", query: "since=yesterday", message: /since "yesterday" is not an RFC 3339 time/ },
    { name: "a count that is not a number", query: "last=lots", message: /last must be a whole number/ },
    { name: "a type that is not an event type", query: "type=DROP TABLE", message: /is not an event type/ },
    { name: "last together with afterSeq", query: "last=5&afterSeq=3", message: /cannot be combined/ },
    { name: "since after until", query: "since=2026-02-02T00:00:00Z&until=2026-02-01T00:00:00Z", message: /since is after until/ },
  ];
  for (const c of badRequests) {
    it(`answers 400 for ${c.name}`, async () => {
      const res = await s.get(`${auditPaths.events}?${c.query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(c.message);
    });
  }

  it("needs audit:read, asking for it with the context naming resource audit and verb get", async () => {
    const res = await s.get(`${auditPaths.events}?last=1`, OPERATOR_TOKEN);
    expect(res.status).toBe(403);
    expect(s.asked.at(-1)).toEqual({ resource: "audit", action: "read" });
    for (const path of [auditPaths.batches, auditPaths.publicKeys, auditPaths.status]) expect((await s.get(path, OPERATOR_TOKEN)).status).toBe(403);
    expect((await fetch(s.url + auditPaths.events)).status).toBe(401);
  });

  it("answers 405 to writes and 404 to unknown audit paths", async () => {
    expect((await fetch(s.url + auditPaths.events, { method: "DELETE", headers: { Authorization: "Bearer test-auditor-token" } })).status).toBe(405);
    expect((await s.get(`${auditPaths.events}/../nothing-here`)).status).toBe(404);
  });

  it("streams the stored batches verbatim, so a client verifies them with the published key", async () => {
    const res = await s.get(auditPaths.batches);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const [headerLine, ...lines] = (await res.text()).trim().split("\n");
    const header = JSON.parse(headerLine!) as AuditLogHeader;
    expect(header).toMatchObject({ kind: "AuditLogHeader", anchor: null, headSeq: 60 });
    const keys = (await (await s.get(auditPaths.publicKeys)).json()) as PublicKeyList;
    const verifier = new ChainVerifier({ trustedKeys: parsePublicKeys(keys.items.map((k) => k.publicKeyPem).join("\n"), "api"), checkSignatures: true });
    for (const line of lines) verifier.addBatch((JSON.parse(line) as { batch: number }).batch, line);
    expect(verifier.finish()).toMatchObject({ ok: true, entries: 60 });
    const resumed = (await (await s.get(`${auditPaths.batches}?after=5`)).text()).trim().split("\n");
    expect(resumed.length).toBe(lines.length - 5 + 1);
  });

  it("publishes the signing keys as JSON and as PEM", async () => {
    const keys = (await (await s.get(auditPaths.publicKeys)).json()) as PublicKeyList;
    expect(keys.items.map((k) => k.keyId)).toEqual([s.t.signer.keyId]);
    const pem = await (await s.get(`${auditPaths.publicKeys}?format=pem`)).text();
    expect([...parsePublicKeys(pem, "pem").keys()]).toEqual([s.t.signer.keyId]);
  });

  it("reports status: writable, head and signed seq", async () => {
    const status = (await (await s.get(auditPaths.status)).json()) as AuditStatus;
    expect(status).toMatchObject({ kind: "AuditStatus", enabled: true, healthy: true, headSeq: 60, firstSeq: 1 });
  });
});
