// The hash chain: entry.hash = SHA-256 (hex) over the canonical JSON (canonical-json.ts) of the entry
// without its `hash` member; entry.prevHash = the previous entry's hash, GENESIS_HASH for entry 1.
// entryHashInput is canonicalJson specialised for the entry's known members (verifying a million entries
// spends most of its time here); any other member falls back to the generic encoder, so a field an
// attacker adds is covered by the hash like every other.

import { hash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import type { AuditEntry } from "./event.js";

export const GENESIS_HASH = "0".repeat(64);

/** The entry's members in canonical (sorted) order, `hash` excluded. */
const MEMBERS = ["actor", "details", "outcome", "prevHash", "resource", "seq", "sourceIp", "time", "type"] as const;

/** Canonical JSON of the entry without `hash`: the bytes its hash is computed over. */
export function entryHashInput(entry: AuditEntry): string {
  const record = entry as unknown as Record<string, unknown>;
  let members = 0;
  for (const key in record) if (key !== "hash" && record[key] !== undefined) members++;
  let out = "{";
  let present = 0;
  for (const key of MEMBERS) {
    const value = record[key];
    if (value === undefined) continue;
    out += `${present === 0 ? "" : ","}"${key}":${typeof value === "string" ? JSON.stringify(value) : canonicalJson(value)}`;
    present++;
  }
  if (present !== members) {
    const { hash: _hash, ...rest } = record;
    return canonicalJson(rest);
  }
  return `${out}}`;
}

export const sha256Hex = (text: string): string => hash("sha256", text, "hex");

export const entryHash = (entry: AuditEntry): string => sha256Hex(entryHashInput(entry));
