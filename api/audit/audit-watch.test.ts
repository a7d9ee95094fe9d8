import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { auditPaths, type AuditWatchEvent } from "../types/audit-api.js";
import { appendMany, loginEvent, startTestLog } from "./testing/audit-fixture.js";
import { OPERATOR_TOKEN, AUDITOR_TOKEN, startAuditServer, type AuditServer } from "./testing/audit-server.js";

/** An open audit watch: read its events one at a time. */
interface OpenWatch {
  status: number;
  next(): Promise<AuditWatchEvent | undefined>;
  /** Reads until n ADDED events arrived; the seqs. */
  added(n: number): Promise<number[]>;
  close(): void;
}

async function watch(s: AuditServer, query: string, token = AUDITOR_TOKEN): Promise<OpenWatch> {
  const abort = new AbortController();
  const res = await fetch(`${s.url}${auditPaths.events}?watch=true${query ? `&${query}` : ""}`, { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const next = async (): Promise<AuditWatchEvent | undefined> => {
    for (;;) {
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        return JSON.parse(line) as AuditWatchEvent;
      }
      const chunk = await reader.read();
      if (chunk.done) return undefined;
      buffered += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    status: res.status,
    next,
    async added(n) {
      const seqs: number[] = [];
      while (seqs.length < n) {
        const e = await next();
        if (!e) throw new Error(`the stream ended after ${seqs.length} of ${n} entries`);
        if (e.type === "ADDED") seqs.push(e.object.seq);
        if (e.type === "ERROR") throw new Error(e.object.message);
      }
      return seqs;
    },
    close: () => abort.abort(),
  };
}

const login = (actor: string, i: number) => loginEvent((e) => ((e.actor = `user:${actor}`), (e.details = { i })));
const denied = () => loginEvent((e) => ((e.type = "security.violation"), (e.outcome = "denied"), (e.details = { status: 403 })));

describe("the audit watch (events?watch=true)", () => {
  let s: AuditServer;
  const open: OpenWatch[] = [];
  const start = async () => (s = await startAuditServer({ clock: new FakeClock(Date.parse("2026-02-01T00:00:00Z")), maxBatchEntries: 4 }));
  const w = async (query: string, token?: string) => {
    const opened = await watch(s, query, token);
    open.push(opened);
    return opened;
  };
  afterEach(async () => {
    for (const o of open.splice(0)) o.close();
    await s?.stop();
  });

  it("without history, says where the head is with a BOOKMARK, then streams only what is appended after", async () => {
    await start();
    await appendMany(s.t.log, 5);
    const stream = await w("");
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({ type: "BOOKMARK", object: { kind: "AuditBookmark", seq: 5 } });
    await s.t.log.append(login("alice", 6));
    await s.t.log.append(login("bob", 7));
    expect(await stream.added(2)).toEqual([6, 7]);
  });

  it("with last=N, replays the last N matches, then follows with matches only", async () => {
    await start();
    for (let i = 0; i < 10; i++) await s.t.log.append(i % 2 ? denied() : login("alice", i));
    const stream = await w("last=3&type=auth.login");
    expect(await stream.added(3)).toEqual([5, 7, 9]);
    await s.t.log.append(denied());
    await s.t.log.append(login("alice", 12));
    expect(await stream.added(1)).toEqual([12]);
  });

  it("with afterSeq, resumes exactly after the seq the client holds: nothing twice, nothing skipped, even while entries are appended", async () => {
    await start();
    await appendMany(s.t.log, 30);
    const stream = await w("afterSeq=17");
    const racing = appendMany(s.t.log, 20);
    expect(await stream.added(33)).toEqual(Array.from({ length: 33 }, (_, i) => 18 + i));
    await racing;
  });

  it("filters by user as the query does", async () => {
    await start();
    const stream = await w("user=bob");
    for (let i = 0; i < 6; i++) await s.t.log.append(login(i % 3 ? "alice" : "bob", i));
    expect(await stream.added(2)).toEqual([1, 4]);
  });

  it("streams what another server on the same store appends", async () => {
    await start();
    const stream = await w("");
    const other = await startTestLog({ store: s.t.store, clock: s.t.clock });
    try {
      await s.t.log.append(login("alice", 1));
      await other.log.append(login("bob", 2));
      await s.t.log.append(login("carol", 3));
      expect(await stream.added(3)).toEqual([1, 2, 3]);
    } finally {
      await other.close();
    }
  });

  it("ends at timeoutSeconds", async () => {
    await start();
    const stream = await w("timeoutSeconds=60");
    expect((await stream.next())?.type).toBe("BOOKMARK");
    (s.t.clock as FakeClock).step(60_000);
    const rest: string[] = [];
    for (let e = await stream.next(); e; e = await stream.next()) rest.push(e.type);
    expect(rest.every((t) => t === "BOOKMARK")).toBe(true);
  });

  it("sends a BOOKMARK with the head every 30 s on an idle stream", async () => {
    await start();
    const stream = await w("type=auth.logout");
    expect(await stream.next()).toMatchObject({ type: "BOOKMARK", object: { seq: 0 } });
    await s.t.log.append(login("alice", 1));
    (s.t.clock as FakeClock).step(30_000);
    expect(await stream.next()).toMatchObject({ type: "BOOKMARK", object: { seq: 1 } });
  });

  it("ends with a 403 ERROR at the next bookmark once the caller may no longer read the log", async () => {
    await start();
    const stream = await w("");
    expect((await stream.next())?.type).toBe("BOOKMARK");
    s.revoked.add("user:auditor");
    (s.t.clock as FakeClock).step(30_000);
    expect(await stream.next()).toMatchObject({ type: "ERROR", object: { code: 403, reason: "Forbidden" } });
    expect(await stream.next()).toBeUndefined();
  });

  it("ends after 30 minutes even without timeoutSeconds, so the client authenticates again", async () => {
    await start();
    const stream = await w("");
    const types: string[] = [];
    (s.t.clock as FakeClock).step(30 * 60_000);
    for (let e = await stream.next(); e; e = await stream.next()) types.push(e.type);
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t) => t === "BOOKMARK")).toBe(true);
  });

  const refusals: { name: string; query: string; token?: string; status: number; message: RegExp }[] = [
    { name: "a caller without audit:read", query: "", token: OPERATOR_TOKEN, status: 403, message: /audit/ },
    { name: "until, which a watch never reaches", query: "until=2026-02-01T00:00:00Z", status: 400, message: /until cannot be used with watch/ },
    { name: "a timeoutSeconds that is not a number", query: "timeoutSeconds=soon", status: 400, message: /timeoutSeconds must be a whole number/ },
    { name: "last with afterSeq", query: "last=2&afterSeq=3", status: 400, message: /cannot be combined/ },
    { name: "an afterSeq that is not a number", query: "afterSeq=-1", status: 400, message: /afterSeq must be a whole number/ },
  ];
  it.each(refusals)("refuses $name with $status", async ({ query, token, status, message }) => {
    await start();
    const res = await fetch(`${s.url}${auditPaths.events}?watch=true&${query}`, { headers: { Authorization: `Bearer ${token ?? AUDITOR_TOKEN}` } });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });

  it("asks for audit:read as a watch", async () => {
    await start();
    s.asked.length = 0;
    await w("");
    expect(s.asked).toContainEqual(expect.objectContaining({ resource: "audit", action: "read" }));
  });

  it("caps open streams per identity with 429 and frees a slot when one closes", async () => {
    await start();
    const streams = [await w(""), await w(""), await w("")];
    for (const x of streams) expect((await x.next())?.type).toBe("BOOKMARK");
    const over = await fetch(`${s.url}${auditPaths.events}?watch=true`, { headers: { Authorization: `Bearer ${AUDITOR_TOKEN}` } });
    expect(over.status).toBe(429);
    streams[0]!.close();
    await expect.poll(async () => {
      const again = await watch(s, "");
      open.push(again);
      return again.status;
    }).toBe(200);
  });
});
