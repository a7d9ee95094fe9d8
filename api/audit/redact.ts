// The guard between emitters and the log: secret values, passwords and tokens can never enter an entry.
// Every string of an event (actor, resource name, details keys and values) is scanned for credential
// shapes (claw API keys `clk_…`, JWTs `eyJ….….…`, bearer headers, PEM private keys), fields whose names
// say they hold a secret are replaced whole, and a Secret's value fields are dropped. Details are also
// trimmed (depth, keys, lengths) so one event cannot bloat the log. What it cannot recognise is a password
// typed into free text ("user typed hunter2"): emitters never interpolate credentials into messages.

import { isIP } from "node:net";
import type { JsonValue } from "../client/audit/canonical-json.js";
import { auditTime, isAuditOutcome, type AuditEntry, type AuditEvent, type AuditResource } from "../client/audit/event.js";

export const REDACTED = "[REDACTED]";

const LIMITS = { depth: 4, keys: 32, items: 32, string: 512, key: 64, actor: 256, name: 253 } as const;

/** Credential shapes, anywhere inside a string. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /clk_[A-Za-z0-9_-]{6,}/g,
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Field names that hold a secret (password, token, apiKey, privateKey…), unless they only name or count one. */
const SENSITIVE_KEY = /pass(word|wd|phrase)|secret|token|api[-_]?key|credential|private[-_]?key|authorization|cookie|signature|salt/i;
const HARMLESS_SUFFIX = /(name|names|id|ids|count|ref|version|versions|expiry|expires|expiresat|type|kind|policy|length|rotation)$/i;
/** Inside a Secret's events, these hold the value itself. */
const SECRET_VALUE_KEYS = new Set(["value", "values", "data", "stringdata", "previousvalue", "previousvalues", "plaintext", "ciphertext"]);

export const isSensitiveKey = (key: string): boolean => SENSITIVE_KEY.test(key) && !HARMLESS_SUFFIX.test(key);

/** Cheap pre-check: every credential pattern above contains one of these. */
const MAYBE_SECRET = /clk_|eyJ|-----BEGIN|bearer|basic/i;

/** Replaces every credential-shaped run in text with [REDACTED]. */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (match) => (match.startsWith("Bearer") || match.startsWith("Basic") ? `${match.split(/\s+/)[0]} ${REDACTED}` : REDACTED));
  return out;
}

/** True when text holds anything the guard would redact (for tests and defensive checks). */
export const looksSecret = (text: string): boolean => redactText(text) !== text;

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The stored fields of an event (everything but seq and hashes), redacted, trimmed and timestamped. */
export function sanitizeEvent(event: AuditEvent, nowMs: number, formatTime: (ms: number) => string = auditTime): Omit<AuditEntry, "seq" | "prevHash" | "hash"> {
  if (!isAuditOutcome(event.outcome)) throw new TypeError(`audit outcome "${String(event.outcome)}" is not one of success, failure, denied`);
  const resource = sanitizeResource(event.resource);
  const secretKind = resource?.kind.toLowerCase() === "secret";
  return {
    time: formatTime(typeof event.at === "number" && Number.isFinite(event.at) ? event.at : nowMs),
    type: event.type,
    actor: clip(redactText(String(event.actor ?? "")), LIMITS.actor) || "anonymous",
    sourceIp: sanitizeIp(event.sourceIp),
    resource,
    outcome: event.outcome,
    details: sanitizeObject(event.details ?? {}, { depth: 0, secretKind }),
  };
}

function sanitizeResource(resource: AuditResource | undefined): AuditResource | null {
  if (!resource) return null;
  const out: AuditResource = { group: clip(redactText(String(resource.group ?? "")), LIMITS.name), kind: clip(redactText(String(resource.kind ?? "")), LIMITS.name) };
  if (resource.name !== undefined) out.name = clip(redactText(String(resource.name)), LIMITS.name);
  return out;
}

/** An IP address (IPv4-mapped IPv6 shown as IPv4), or "" for anything that is not one. */
export function sanitizeIp(ip: string | undefined): string {
  if (!ip) return "";
  const plain = ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return isIP(plain) ? plain : "";
}

interface Walk {
  depth: number;
  secretKind: boolean;
}

function sanitizeObject(obj: Record<string, unknown>, walk: Walk): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  let kept = 0;
  // Sorted, so the stored JSON is already in canonical order (the verifier's fast path).
  for (const rawKey of Object.keys(obj).sort()) {
    const value = obj[rawKey];
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    if (kept++ >= LIMITS.keys) {
      out["…"] = `${Object.keys(obj).length - LIMITS.keys} more field(s) dropped`;
      break;
    }
    const key = clip(redactText(rawKey), LIMITS.key);
    if (isSensitiveKey(rawKey) || (walk.secretKind && SECRET_VALUE_KEYS.has(rawKey.toLowerCase()))) out[key] = REDACTED;
    else out[key] = sanitizeValue(value, walk);
  }
  return out;
}

function sanitizeValue(value: unknown, walk: Walk): JsonValue {
  if (value === null) return null;
  if (typeof value === "string") return clip(redactText(value), LIMITS.string);
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (walk.depth + 1 >= LIMITS.depth) return "[truncated]";
  const deeper = { ...walk, depth: walk.depth + 1 };
  if (Array.isArray(value)) {
    const items = value.slice(0, LIMITS.items).map((item) => (item === undefined ? null : sanitizeValue(item, deeper)));
    if (value.length > LIMITS.items) items.push(`${value.length - LIMITS.items} more item(s) dropped`);
    return items;
  }
  if (typeof value === "object") return sanitizeObject(value as Record<string, unknown>, deeper);
  return String(value);
}
