// Minting and rotating API key secrets. The hash record at /claw/apikey-secrets/{keyId} is created once
// per key (store create) and replaced only by compare-and-swap for a higher spec.rotation, so each secret
// is handed out exactly once. The status fields written here: keyId, rotation, lastRotatedAt, secretFetched
// (the apikeys controller owns phase, expiresAt and the conditions). The record names the owner's uid, so a
// user deleted and created again under the same name does not inherit the key.

import type { Logger } from "pino";
import type { ApiKeySecret } from "../types/auth-api.js";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import { alreadyExists, ApiError, conflict, isNotFound } from "../machinery/errors.js";
import { GROUP, type KubeObject } from "../machinery/meta.js";
import type { UserInfo } from "../server/admission.js";
import { refOf, type ResourceService } from "../server/resource-service.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { decodeObject, internalKey, resourceKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import type { ApiKey } from "../types/api-key.js";
import type { User } from "../types/user.js";
import { hashSecret, keyIdFor, newSecret } from "./api-key-secret.js";
import { API_KEY_SECRETS_AREA, apiKeyExpiry, type ApiKeySecretRecord } from "./identity-records.js";

export const AUTH_FIELD_MANAGER = "claw-auth";

export interface ApiKeyMinterOptions {
  store: Store;
  service: () => ResourceService;
  apiKeys: ResourceInfo;
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
  logger: Logger;
}

export class ApiKeyMinter {
  constructor(private readonly opts: ApiKeyMinterOptions) {}

  /**
   * Mints the secret of an ApiKey: the first one (`rotate: false`; 409 once it was issued for the current
   * spec.rotation), or a new one that replaces it at once (`rotate: true`, raising spec.rotation).
   * `ownerUid`: the owner the caller's escalation check judged; 409 when the owner is now another user.
   */
  async mint(name: string, opts: { rotate: boolean; user?: UserInfo; ownerUid?: string }): Promise<ApiKeySecret> {
    const { apiKeys: info, clock } = this.opts;
    const service = this.opts.service();
    const key = (await service.get(info, name)) as ApiKey;
    this.checkUsable(key);
    const ownerUid = await this.ownerUidOf(key, opts.ownerUid);
    const uid = key.metadata.uid ?? "";
    const keyId = keyIdFor(uid);
    const recordKey = internalKey(API_KEY_SECRETS_AREA, keyId);
    const existing = await this.opts.store.get(recordKey);
    const previous = existing ? (JSON.parse(existing.value) as ApiKeySecretRecord) : undefined;
    let rotation = key.spec?.rotation ?? 0;
    if (opts.rotate) {
      rotation = Math.max(rotation, previous?.rotation ?? 0) + 1;
      // Raising spec.rotation first refuses the old secret at once, even before the new record lands.
      await service.guaranteedUpdate(info, name, { fieldManager: AUTH_FIELD_MANAGER, fieldValidation: "Strict", dryRun: false, subresource: undefined, ...(opts.user ? { user: opts.user } : {}) }, (live) => {
        if (live.metadata.uid !== uid) throw conflict(refOf(info, name), "the key was replaced while rotating; retry");
        const spec = (live.spec ?? {}) as ApiKey["spec"] & object;
        return { ...live, spec: { ...spec, rotation: Math.max(spec.rotation ?? 0, rotation) } };
      });
    } else if (previous && previous.rotation >= rotation) {
      throw secretAlreadyIssued(info, name, keyId);
    }
    const secret = newSecret(keyId, this.opts.randomBytes);
    const now = toRfc3339(clock.now());
    const record: ApiKeySecretRecord = { name, uid, ownerUid, sha256: hashSecret(secret), rotation, mintedAt: now };
    try {
      if (existing) await this.opts.store.update(recordKey, JSON.stringify(record), existing.modRevision);
      else await this.opts.store.create(recordKey, JSON.stringify(record));
    } catch (err) {
      if (isStoreError(err, "KeyExists") || isStoreError(err, "RevisionConflict"))
        throw opts.rotate ? conflict(refOf(info, name), "another request rotated the key at the same time; retry") : secretAlreadyIssued(info, name, keyId);
      throw err;
    }
    await this.recordStatus(key, { keyId, rotation, lastRotatedAt: now });
    const expiresAtMs = apiKeyExpiry(key);
    return {
      keyId,
      secret,
      name,
      displayName: key.spec?.displayName ?? name,
      scopes: key.spec?.scopes ?? [],
      ...(expiresAtMs !== undefined ? { expiresAt: toRfc3339(expiresAtMs) } : {}),
    };
  }

  private checkUsable(key: ApiKey): void {
    const ref = refOf(this.opts.apiKeys, key.metadata.name);
    if (key.metadata.deletionTimestamp) throw conflict(ref, "the key is being deleted");
    if (key.spec?.revoked) throw conflict(ref, "the key is revoked; create a new key");
    const expiresAtMs = apiKeyExpiry(key);
    if (expiresAtMs !== undefined && this.opts.clock.now() >= expiresAtMs) throw conflict(ref, `the key expired at ${toRfc3339(expiresAtMs)}; create a new key`);
  }

  /** The uid of the key's owner as stored now (not a cache): the user the secret will act as. */
  private async ownerUidOf(key: ApiKey, expected: string | undefined): Promise<string> {
    const owner = key.spec?.owner ?? "";
    const ref = refOf(this.opts.apiKeys, key.metadata.name);
    const kv = owner ? await this.opts.store.get(resourceKey(GROUP, "users", owner)) : undefined;
    const uid = kv ? decodeObject<User>(kv).metadata.uid : undefined;
    if (!uid) throw conflict(ref, `its owner, user "${owner}", does not exist; create the user first`);
    if (expected !== undefined && expected !== uid) throw conflict(ref, `its owner, user "${owner}", was deleted and created again meanwhile; retry`);
    return uid;
  }

  /** Best effort: the secret is already valid, so a failed status write is logged, not returned. */
  private async recordStatus(key: ApiKey, fields: { keyId: string; rotation: number; lastRotatedAt: string }): Promise<void> {
    const { apiKeys: info } = this.opts;
    try {
      await this.opts.service().guaranteedUpdate(info, key.metadata.name, { fieldManager: AUTH_FIELD_MANAGER, fieldValidation: "Strict", dryRun: false, subresource: "status" }, (live): KubeObject => {
        if (live.metadata.uid !== key.metadata.uid) throw conflict(refOf(info, key.metadata.name), "the key was replaced");
        const status = (live.status ?? {}) as NonNullable<ApiKey["status"]>;
        return { ...live, status: { ...status, ...fields, secretFetched: true } };
      });
    } catch (err) {
      if (!isNotFound(err)) this.opts.logger.warn({ err: (err as Error).message, apikey: key.metadata.name }, "could not record the minted secret in the ApiKey status");
    }
  }
}

const secretAlreadyIssued = (info: ResourceInfo, name: string, keyId: string) =>
  new ApiError(
    409,
    "AlreadyExists",
    `the secret of ${info.plural}.${info.group} "${name}" was already issued and is never shown again; rotate the key to get a new secret (claw auth apikey rotate ${keyId})`,
    alreadyExists(refOf(info, name)).details,
  );
