// Tampering with a stored log the way an attacker with write access to the store would, for the
// verifier's tests: each function takes the stored batches (parsed copies) and says which seq the
// verifier must name as the first bad entry.

import type { BatchRecord } from "../../client/audit/batch.js";
import type { RawBatch } from "../batch-store.js";
import type { AuditEntry } from "../../client/audit/event.js";

export type StoredLog = BatchRecord[];

export const parseLog = (raws: readonly RawBatch[]): StoredLog => raws.map((r) => JSON.parse(r.raw) as BatchRecord);
export const serializeLog = (log: StoredLog): RawBatch[] => log.map((b) => ({ batch: b.batch, raw: JSON.stringify(b) }));

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Where entry seq sits: batch index and position in it. */
export function locate(log: StoredLog, seq: number): { b: number; i: number } {
  for (let b = 0; b < log.length; b++) {
    const i = log[b]!.entries.findIndex((e) => e.seq === seq);
    if (i >= 0) return { b, i };
  }
  throw new Error(`entry ${seq} is not in the log`);
}

export const entryAt = (log: StoredLog, seq: number): AuditEntry => {
  const { b, i } = locate(log, seq);
  return log[b]!.entries[i]!;
};

const EDITS: ((e: AuditEntry, rand: (n: number) => number) => void)[] = [
  (e) => (e.actor = `${e.actor}x`),
  (e) => (e.type = e.type === "auth.logout" ? "auth.login" : "auth.logout"),
  (e) => (e.outcome = e.outcome === "denied" ? "success" : "denied"),
  (e) => (e.sourceIp = e.sourceIp === "203.0.113.9" ? "198.51.100.1" : "203.0.113.9"),
  (e) => (e.time = new Date(Date.parse(e.time) + 1).toISOString()),
  (e, rand) => (e.details = { ...e.details, [`k${rand(1000)}`]: "forged" }),
  (e) => (e.resource = e.resource ? { ...e.resource, name: `${e.resource.name ?? ""}-forged` } : { group: "", kind: "Forged" }),
  (e) => (e.resource = null),
  (e) => (e.seq = e.seq + 1),
  (e) => (e.prevHash = "f".repeat(64)),
  (e) => (e.hash = `${e.hash!.slice(0, 63)}${e.hash!.endsWith("0") ? "1" : "0"}`),
  (e) => ((e as unknown as Record<string, unknown>).note = "added by an attacker"),
];

/** Changes one member of entry seq in place, without fixing any hash. */
export function editEntry(log: StoredLog, seq: number, rand: (n: number) => number): void {
  const entry = entryAt(log, seq);
  const before = JSON.stringify(entry);
  for (let tries = 0; JSON.stringify(entry) === before && tries < 10; tries++) EDITS[rand(EDITS.length)]!(entry, rand);
}

export function deleteEntry(log: StoredLog, seq: number): void {
  const { b, i } = locate(log, seq);
  log[b]!.entries.splice(i, 1);
}

/** Inserts a forged entry claiming seq before entry seq (a plausible-looking hash that is not the chain's). */
export function insertEntry(log: StoredLog, seq: number, rand: (n: number) => number): void {
  const { b, i } = locate(log, seq);
  const original = log[b]!.entries[i]!;
  const forged: AuditEntry = { ...original, actor: "user:mallory", details: { forged: rand(1e6) }, hash: "ab".repeat(32) };
  log[b]!.entries.splice(i, 0, forged);
}

export function swapEntries(log: StoredLog, first: number, second: number): void {
  const x = locate(log, first);
  const y = locate(log, second);
  const a = log[x.b]!.entries[x.i]!;
  log[x.b]!.entries[x.i] = log[y.b]!.entries[y.i]!;
  log[y.b]!.entries[y.i] = a;
}

/** Drops entry seq and everything after it (with the checkpoints over them); optionally fixes the last batch's header. */
export function truncateFrom(log: StoredLog, seq: number, fixHeader: boolean): void {
  const { b, i } = locate(log, seq);
  log.splice(b + 1);
  const last = log[b]!;
  last.entries.splice(i);
  last.checkpoints = last.checkpoints.filter((c) => c.seq < seq);
  if (fixHeader && last.entries.length > 0) {
    last.lastSeq = last.entries.at(-1)!.seq;
    last.lastHash = last.entries.at(-1)!.hash!;
  }
  if (last.entries.length === 0 && last.checkpoints.length === 0) log.splice(b);
}
