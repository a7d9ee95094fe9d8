// A Secret's versions: one internal store key per kept version, written in the same transaction as the
// Secret (admission effects), so the history and spec.sealed never disagree. Keyed by the Secret's uid:
// a secret deleted and created again under its name starts a new history.
//
//   /claw/secrets/versions/{uid}/{version, 10 digits}   VersionRecord (metadata and the sealed value)

import { internalKey } from "../store/keys.js";
import type { Store, TxnOp } from "../store/store.js";
import type { SecretSealed } from "../types/secret.js";
import type { SecretVersionInfo } from "../types/secrets-api.js";

export const VERSIONS_AREA = "secrets";
export const DEFAULT_KEEP_VERSIONS = 10;

export interface VersionRecord extends SecretVersionInfo {
  sealed: SecretSealed;
}

const prefixOf = (uid: string) => internalKey(VERSIONS_AREA, `versions/${uid}/`);
export const versionKey = (uid: string, version: number) => `${prefixOf(uid)}${String(version).padStart(10, "0")}`;

export const putVersion = (uid: string, record: VersionRecord): TxnOp => ({ kind: "put", key: versionKey(uid, record.version), value: JSON.stringify(record) });
export const deleteVersion = (uid: string, version: number): TxnOp => ({ kind: "delete", key: versionKey(uid, version) });

/** Every kept version of the secret with this uid, oldest first. */
export async function readVersions(store: Store, uid: string): Promise<VersionRecord[]> {
  const page = await store.list(prefixOf(uid));
  return page.items.map((kv) => JSON.parse(kv.value) as VersionRecord);
}

/** Every kept version of every secret, with the uid of the secret it belongs to (the start's key check). */
export async function readAllVersions(store: Store): Promise<{ uid: string; record: VersionRecord }[]> {
  const prefix = internalKey(VERSIONS_AREA, "versions/");
  const page = await store.list(prefix);
  return page.items.map((kv) => ({ uid: kv.key.slice(prefix.length).split("/")[0] ?? "", record: JSON.parse(kv.value) as VersionRecord }));
}
