// Bootstrap tokens, as kubeadm's: a short-lived credential that lets a new node join by CSR. The token is
// `clbt_<id>.<secret>`; the store keeps only the secret's SHA-256 under /claw/nodes/tokens/<id>. A use is
// spent by compare-and-swap on the record, so two joins racing for the last use cannot both win.

import { createHash, timingSafeEqual } from "node:crypto";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import { badRequest, notFound, unauthorized, forbidden } from "../machinery/errors.js";
import { internalKey } from "../store/keys.js";
import type { Store } from "../store/store.js";
import { parseDuration } from "../types/duration.js";
import { BOOTSTRAP_TOKEN, BOOTSTRAP_TOKEN_PREFIX, type BootstrapTokenInfo, type BootstrapTokenRequest } from "../types/nodes-api.js";

export interface TokenRecord extends BootstrapTokenInfo {
  /** SHA-256 of the secret part, hex. */
  sha256: string;
}

export const MAX_TOKEN_TTL_MS = 24 * 3_600_000;
export const DEFAULT_TOKEN_TTL_MS = 3_600_000;
export const MAX_TOKEN_USES = 100;
const NODE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

const tokensPrefix = internalKey("nodes", "tokens/");
const tokenKey = (id: string) => `${tokensPrefix}${id}`;
const hashOf = (secret: string) => createHash("sha256").update(`claw/bootstrap-token/${secret}`).digest("hex");

export class BootstrapTokens {
  constructor(private readonly opts: { store: Store; clock: Clock; random: (n: number) => Uint8Array }) {}

  /** Creates a token; the returned `token` is the only copy of its secret. */
  async create(request: BootstrapTokenRequest, createdBy: string): Promise<{ info: BootstrapTokenInfo; token: string }> {
    const ttlMs = ttlOf(request.ttl);
    const uses = request.uses ?? 1;
    if (!Number.isSafeInteger(uses) || uses < 1 || uses > MAX_TOKEN_USES) throw badRequest(`uses must be a whole number from 1 to ${MAX_TOKEN_USES}, not ${JSON.stringify(request.uses)}`);
    if (request.node !== undefined && (typeof request.node !== "string" || !NODE_NAME.test(request.node)))
      throw badRequest(`node must be a node name (a DNS label such as gpu-node-1), not ${JSON.stringify(request.node)}`);
    if (request.description !== undefined && (typeof request.description !== "string" || request.description.length > 256)) throw badRequest("description must be text of at most 256 characters");
    const now = this.opts.clock.now();
    const id = [...this.opts.random(8)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
    const secret = Buffer.from(this.opts.random(32)).toString("base64url");
    const info: BootstrapTokenInfo = {
      id,
      expiresAt: toRfc3339(now + ttlMs),
      usesLeft: uses,
      ...(request.node !== undefined ? { node: request.node } : {}),
      ...(request.description ? { description: request.description } : {}),
      createdBy,
      createdAt: toRfc3339(now),
    };
    await this.opts.store.create(tokenKey(id), JSON.stringify({ ...info, sha256: hashOf(secret) } satisfies TokenRecord));
    return { info, token: `${BOOTSTRAP_TOKEN_PREFIX}${id}.${secret}` };
  }

  /** The tokens still usable, without their hashes; expired ones are removed on the way. */
  async list(): Promise<BootstrapTokenInfo[]> {
    const now = this.opts.clock.now();
    const page = await this.opts.store.list(tokensPrefix);
    const out: BootstrapTokenInfo[] = [];
    for (const kv of page.items) {
      const { sha256: _hash, ...info } = JSON.parse(kv.value) as TokenRecord;
      if (Date.parse(info.expiresAt) <= now) await this.opts.store.delete(kv.key, kv.modRevision).catch(() => undefined);
      else out.push(info);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<BootstrapTokenInfo> {
    const kv = /^[a-z0-9]{8}$/.test(id) ? await this.opts.store.get(tokenKey(id)) : undefined;
    if (!kv) throw notFound({ group: "security.clawbernetes.com", kind: "BootstrapToken", resource: "bootstraptokens", name: id });
    await this.opts.store.delete(kv.key, kv.modRevision);
    const { sha256: _hash, ...info } = JSON.parse(kv.value) as TokenRecord;
    return info;
  }

  /**
   * Spends one use of `token` for a node named `node`: 401 for a token malformed, unknown, expired or used up
   * (one message for all, so the answer tells an attacker nothing), 403 for one bound to another node.
   */
  async spend(token: string, node: string): Promise<BootstrapTokenInfo> {
    const match = BOOTSTRAP_TOKEN.exec(token);
    const refused = unauthorized("Unauthorized: the bootstrap token is not valid (unknown, expired or used up); create a new one with `claw node token create --ttl 1h`");
    if (!match) throw refused;
    const [, id, secret] = match as unknown as [string, string, string];
    for (let attempt = 0; attempt < 8; attempt++) {
      const kv = await this.opts.store.get(tokenKey(id));
      if (!kv) throw refused;
      const record = JSON.parse(kv.value) as TokenRecord;
      const expected = Buffer.from(record.sha256, "hex");
      const given = Buffer.from(hashOf(secret), "hex");
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refused;
      if (Date.parse(record.expiresAt) <= this.opts.clock.now() || record.usesLeft < 1) throw refused;
      if (record.node !== undefined && record.node !== node) throw forbidden(`bootstrap token ${id} is for node "${record.node}", not "${node}"`);
      const next: TokenRecord = { ...record, usesLeft: record.usesLeft - 1 };
      const ops = next.usesLeft === 0 ? [{ kind: "delete" as const, key: kv.key }] : [{ kind: "put" as const, key: kv.key, value: JSON.stringify(next) }];
      const result = await this.opts.store.txn([{ key: kv.key, modRevision: kv.modRevision }], ops);
      if (result.succeeded) {
        const { sha256: _hash, ...info } = next;
        return info;
      }
    }
    throw refused;
  }
}

function ttlOf(ttl: string | undefined): number {
  if (ttl === undefined) return DEFAULT_TOKEN_TTL_MS;
  let ms: number;
  try {
    ms = typeof ttl === "string" ? parseDuration(ttl) : Number.NaN;
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms)) throw badRequest(`ttl must be a duration such as 1h or 30m, not ${JSON.stringify(ttl)}`);
  if (ms > MAX_TOKEN_TTL_MS) throw badRequest(`ttl ${ttl} is longer than 24h: a bootstrap token is meant to be short-lived; create another when you need it`);
  if (ms < 60_000) throw badRequest(`ttl ${ttl} is shorter than a minute`);
  return ms;
}
