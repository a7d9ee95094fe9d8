// The first start's admin credential, as real objects: User `admin` (roles [admin]) and ApiKey
// `bootstrap-admin` (owner admin, scopes *:*), whose secret the server mints and returns once so that
// `claw server` writes it into admin.conf. A marker key records that bootstrap happened, so deleting the
// bootstrap key later (good practice once real admins exist) does not bring it back on restart.

import { toRfc3339, type Clock } from "../machinery/clock.js";
import { isAlreadyExists } from "../machinery/errors.js";
import { API_VERSION } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { ResourceService } from "../server/resource-service.js";
import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import type { ApiKey } from "../types/api-key.js";
import type { User } from "../types/user.js";
import type { ApiKeyMinter } from "./api-key-minting.js";
import { AUTH_FIELD_MANAGER } from "./api-key-minting.js";
import { keyIdFor } from "./api-key-secret.js";
import { ensureDefaultRoles } from "./default-roles.js";

export const BOOTSTRAP_MARKER = internalKey("bootstrap", "admin-apikey");
export const BOOTSTRAP_USER = "admin";
export const BOOTSTRAP_API_KEY = "bootstrap-admin";

export type BootstrapResult = { created: true; keyId: string; secret: string } | { created: false; keyId?: string };

interface Marker {
  keyId: string;
  createdAt: string;
}

export interface BootstrapOptions {
  store: Store;
  service: ResourceService;
  roles: ResourceInfo;
  users: ResourceInfo;
  apiKeys: ResourceInfo;
  minter: ApiKeyMinter;
  clock: Clock;
}

const write = { fieldManager: AUTH_FIELD_MANAGER, fieldValidation: "Strict" as const, dryRun: false };

async function createIfMissing(service: ResourceService, info: ResourceInfo, obj: User | ApiKey): Promise<void> {
  try {
    await service.create(info, obj, write);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** Creates the default roles when missing and, on the store's first start, the admin user and key. */
export async function ensureBootstrapAdmin(opts: BootstrapOptions): Promise<BootstrapResult> {
  const { store, service } = opts;
  await ensureDefaultRoles(service, opts.roles);
  const marker = await store.get(BOOTSTRAP_MARKER);
  if (marker) return { created: false, keyId: (JSON.parse(marker.value) as Marker).keyId };
  await createIfMissing(service, opts.users, {
    apiVersion: API_VERSION,
    kind: "User",
    metadata: { name: BOOTSTRAP_USER },
    spec: { roles: ["admin"], disabled: false },
  });
  await createIfMissing(service, opts.apiKeys, {
    apiVersion: API_VERSION,
    kind: "ApiKey",
    metadata: { name: BOOTSTRAP_API_KEY },
    spec: { displayName: "Bootstrap admin credential", owner: BOOTSTRAP_USER, scopes: ["*:*"] },
  });
  let minted;
  try {
    minted = await opts.minter.mint(BOOTSTRAP_API_KEY, { rotate: false });
  } catch (err) {
    // Another server sharing this store minted it first: its admin.conf holds the secret.
    if (!isAlreadyExists(err)) throw err;
    const key = (await service.get(opts.apiKeys, BOOTSTRAP_API_KEY)) as ApiKey;
    return { created: false, keyId: keyIdFor(key.metadata.uid ?? "") };
  }
  try {
    await store.create(BOOTSTRAP_MARKER, JSON.stringify({ keyId: minted.keyId, createdAt: toRfc3339(opts.clock.now()) } satisfies Marker));
  } catch (err) {
    if (!isStoreError(err, "KeyExists")) throw err;
  }
  return { created: true, keyId: minted.keyId, secret: minted.secret };
}
