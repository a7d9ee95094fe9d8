// Accept-header negotiation as Kubernetes does it: media ranges with parameters (`as`, `g`, `v`) and q-values.

export interface MediaRange {
  /** Lower case, `*` for any. */
  type: string;
  /** Lower case, `*` for any. */
  subtype: string;
  /** Parameters other than `q`, keys lower case, values as sent (quotes removed). */
  params: Record<string, string>;
  /** Preference 0..1; ranges with q=0 are dropped by parseAccept. */
  q: number;
}

/** A representation the server can send, described the way a client asks for it. */
export interface MediaOffer<T> {
  type: string;
  subtype: string;
  params?: Record<string, string>;
  value: T;
}

/** Parameters that never change which representation is sent; a client may add them to any range. */
const IGNORED_PARAMS = new Set(["charset", "pretty", "profile"]);

/**
 * Parses an Accept header into media ranges, most preferred first: by q, then concrete before wildcard,
 * then in the order sent. A missing or empty header accepts anything. Malformed ranges are skipped.
 */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === "") return [{ type: "*", subtype: "*", params: {}, q: 1 }];
  const ranges: { range: MediaRange; index: number }[] = [];
  splitOutsideQuotes(header, ",").forEach((part, index) => {
    const range = parseRange(part);
    if (range && range.q > 0) ranges.push({ range, index });
  });
  const rank = (r: MediaRange) => (r.type === "*" ? 2 : r.subtype === "*" ? 1 : 0);
  ranges.sort((a, b) => b.range.q - a.range.q || rank(a.range) - rank(b.range) || a.index - b.index);
  return ranges.map((r) => r.range);
}

/**
 * Picks what to send: the first offer (in the server's order) matched by the client's most preferred range.
 * A range matches an offer when type and subtype agree (or are wildcards) and its parameters, ignoring
 * charset/pretty/profile, are exactly the offer's. Undefined means nothing offered is acceptable (406).
 */
export function negotiate<T>(accept: string | undefined, offers: readonly MediaOffer<T>[]): T | undefined {
  for (const range of parseAccept(accept)) {
    const offer = offers.find((o) => rangeMatches(range, o));
    if (offer) return offer.value;
  }
  return undefined;
}

export function rangeMatches(range: MediaRange, offer: Omit<MediaOffer<unknown>, "value">): boolean {
  if (range.type !== "*" && range.type !== offer.type) return false;
  if (range.subtype !== "*" && range.subtype !== offer.subtype) return false;
  const wanted = Object.entries(range.params).filter(([k]) => !IGNORED_PARAMS.has(k));
  const offered = Object.entries(offer.params ?? {});
  if (wanted.length !== offered.length) return false;
  return wanted.every(([k, v]) => offer.params?.[k] === v);
}

/** Formats a media type with its parameters in the given order: `application/json;g=…;v=…;as=…`. */
export function formatMediaType(type: string, subtype: string, params: Record<string, string> = {}): string {
  return [`${type}/${subtype}`, ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(";");
}

function parseRange(text: string): MediaRange | undefined {
  const [full = "", ...rawParams] = splitOutsideQuotes(text, ";").map((s) => s.trim());
  const match = /^([a-z0-9!#$&^_.+*-]+)\/([a-z0-9!#$&^_.+*-]+)$/i.exec(full);
  if (!match) return undefined;
  const type = match[1]!.toLowerCase();
  const subtype = match[2]!.toLowerCase();
  if (type === "*" && subtype !== "*") return undefined;
  const params: Record<string, string> = {};
  let q = 1;
  for (const raw of rawParams) {
    if (raw === "") continue;
    const eq = raw.indexOf("=");
    if (eq <= 0) return undefined;
    const key = raw.slice(0, eq).trim().toLowerCase();
    let value = raw.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    if (key === "q") {
      const n = Number(value);
      if (!/^\d+(\.\d+)?$/.test(value) || n > 1) return undefined;
      q = n;
    } else {
      params[key] = value;
    }
  }
  return { type, subtype, params, q };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' && text[i - 1] !== "\\") quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
