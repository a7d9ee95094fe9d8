// `GET /apis/security.clawbernetes.com/v1/storesnapshot`: a consistent copy of the embedded store (SQLite's
// online backup), for `claw store backup`. Needs `*:admin` and is audited as store.backup. The copy holds every
// object — secret values and private keys only sealed under the master key, which is never in it: back the
// master key up apart (docs/production.md). A server on etcd answers 400: etcd's own `etcdctl snapshot save`
// is the backup there.

export const storeSnapshotPath = "/apis/security.clawbernetes.com/v1/storesnapshot";

/** The snapshot's media type (IANA's for SQLite databases). */
export const STORE_SNAPSHOT_TYPE = "application/vnd.sqlite3";

/** Every SQLite database file starts with these 16 bytes. */
export const SQLITE_HEADER = "SQLite format 3\u0000";
