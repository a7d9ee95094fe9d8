// What authentication and authorization read from the store, decoded once per change: users, roles, API
// keys, the internal API key secret records and the JWT denylist, each behind a watched cache.

import type { Clock } from "../machinery/clock.js";
import { GROUP } from "../machinery/meta.js";
import { decodeObject, internalKey, resourcePrefix } from "../store/keys.js";
import type { KeyValue, Store } from "../store/store.js";
import type { ApiKey } from "../types/api-key.js";
import { parseDuration } from "../types/duration.js";
import type { Role } from "../types/role.js";
import type { User } from "../types/user.js";
import { PermissionSet, permissionsOrEmpty } from "../rbac/permissions.js";
import { WatchedCache } from "./watched-cache.js";

export const API_KEY_SECRETS_AREA = "apikey-secrets";
export const REVOKED_TOKENS_AREA = "revoked-tokens";
export const PASSWORDS_AREA = "passwords";

export interface UserRecord {
  name: string;
  uid: string;
  disabled: boolean;
  roles: string[];
  /** metadata.creationTimestamp in ms (NaN when absent): a credential older than its user was issued for another. */
  createdAtMs: number;
  /** Tokens issued before this instant (ms) are refused (status.sessionsRevokedAt, set by the users controller). */
  sessionsRevokedAtMs?: number;
}

export interface RoleRecord {
  name: string;
  /** What the role grants; a role whose permissions do not parse grants nothing. */
  permissions: PermissionSet;
}

export interface ApiKeyRecord {
  name: string;
  uid: string;
  owner: string;
  displayName: string;
  scopeStrings: string[];
  scopes: PermissionSet;
  revoked: boolean;
  /** spec.rotation: a secret minted for a lower value is rotated away. */
  rotation: number;
  /** Undefined for a key that never expires. */
  expiresAtMs?: number;
  deleting: boolean;
  /** metadata.creationTimestamp in ms (NaN when absent). */
  createdAtMs: number;
}

/** The internal record of a minted API key secret, at /claw/apikey-secrets/{keyId}: only a hash. */
export interface ApiKeySecretRecord {
  /** The ApiKey object's name and uid: a key deleted and created again under the same name is another key. */
  name: string;
  uid: string;
  /** The owner's User uid when minted; absent in records written before keys were bound to it. */
  ownerUid?: string;
  /** SHA-256 of the whole `clk_…` secret, hex. */
  sha256: string;
  /** The spec.rotation value this secret was minted for. */
  rotation: number;
  mintedAt: string;
}

/** A logged-out JWT, at /claw/revoked-tokens/{jti}, kept until the token's own expiry. */
export interface RevokedTokenRecord {
  /** The token's exp, in ms. */
  expiresAtMs: number;
  username: string;
}

/** What permission strings grant; nothing when any does not parse (admission keeps such objects out). */

export function toUserRecord(user: User): UserRecord {
  const revokedAt = user.status?.sessionsRevokedAt ? Date.parse(user.status.sessionsRevokedAt) : NaN;
  return {
    name: user.metadata.name,
    uid: user.metadata.uid ?? "",
    disabled: user.spec?.disabled === true,
    roles: user.spec?.roles ?? [],
    createdAtMs: Date.parse(user.metadata.creationTimestamp ?? ""),
    ...(Number.isFinite(revokedAt) ? { sessionsRevokedAtMs: revokedAt } : {}),
  };
}

export const toRoleRecord = (role: Role): RoleRecord => ({ name: role.metadata.name, permissions: permissionsOrEmpty(role.spec?.permissions) });

/** When a key expires: spec.expiresAt, or creation plus spec.duration; undefined when it never does. */
export function apiKeyExpiry(key: ApiKey): number | undefined {
  if (key.spec?.expiresAt) return Date.parse(key.spec.expiresAt);
  if (key.spec?.duration) return Date.parse(key.metadata.creationTimestamp ?? "") + parseDuration(key.spec.duration);
  return undefined;
}

export function toApiKeyRecord(key: ApiKey): ApiKeyRecord {
  const expiresAtMs = apiKeyExpiry(key);
  return {
    name: key.metadata.name,
    uid: key.metadata.uid ?? "",
    owner: key.spec?.owner ?? "",
    displayName: key.spec?.displayName ?? "",
    scopeStrings: key.spec?.scopes ?? [],
    scopes: permissionsOrEmpty(key.spec?.scopes),
    revoked: key.spec?.revoked === true,
    rotation: key.spec?.rotation ?? 0,
    // An unparseable expiry counts as expired: fail closed.
    ...(expiresAtMs !== undefined ? { expiresAtMs: Number.isFinite(expiresAtMs) ? expiresAtMs : 0 } : {}),
    deleting: key.metadata.deletionTimestamp !== undefined,
    createdAtMs: Date.parse(key.metadata.creationTimestamp ?? ""),
  };
}

const decodeJson = <T>(kv: KeyValue): T => JSON.parse(kv.value) as T;
const decodeSecretRecord = (kv: KeyValue) => {
  const record = decodeJson<ApiKeySecretRecord>(kv);
  return { ...record, digest: Buffer.from(record.sha256, "hex") };
};

/** The watched caches authentication reads on every request. */
export class IdentityRecords {
  readonly users: WatchedCache<UserRecord>;
  readonly roles: WatchedCache<RoleRecord>;
  readonly apiKeys: WatchedCache<ApiKeyRecord>;
  readonly keySecrets: WatchedCache<ApiKeySecretRecord & { digest: Buffer }>;
  readonly revokedTokens: WatchedCache<RevokedTokenRecord>;

  constructor(opts: { store: Store; clock: Clock; onWatchError?: (err: Error) => void }) {
    const common = { store: opts.store, clock: opts.clock, ...(opts.onWatchError ? { onWatchError: opts.onWatchError } : {}) };
    this.users = new WatchedCache({ ...common, prefix: resourcePrefix(GROUP, "users"), decode: (kv) => toUserRecord(decodeObject<User>(kv)) });
    this.roles = new WatchedCache({ ...common, prefix: resourcePrefix(GROUP, "roles"), decode: (kv) => toRoleRecord(decodeObject<Role>(kv)) });
    this.apiKeys = new WatchedCache({ ...common, prefix: resourcePrefix(GROUP, "apikeys"), decode: (kv) => toApiKeyRecord(decodeObject<ApiKey>(kv)) });
    // Key ids come from whoever presents a secret: guessed ones must not push real keys out.
    this.keySecrets = new WatchedCache({ ...common, prefix: internalKey(API_KEY_SECRETS_AREA, ""), decode: decodeSecretRecord, cacheAbsent: false });
    this.revokedTokens = new WatchedCache({ ...common, prefix: internalKey(REVOKED_TOKENS_AREA, ""), decode: decodeJson<RevokedTokenRecord> });
  }

  private all() {
    return [this.users, this.roles, this.apiKeys, this.keySecrets, this.revokedTokens] as const;
  }

  async start(): Promise<void> {
    await Promise.all(this.all().map((c) => c.start()));
  }

  stop(): void {
    for (const c of this.all()) c.stop();
  }
}
