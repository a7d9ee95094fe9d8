// Password records in internal store keys (/claw/passwords/{username}), never in the User object.

import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import { PASSWORDS_AREA } from "./identity-records.js";
import type { PasswordRecord } from "./passwords.js";

export class PasswordStore {
  constructor(private readonly store: Store) {}

  async get(username: string): Promise<PasswordRecord | undefined> {
    const kv = await this.store.get(internalKey(PASSWORDS_AREA, username));
    return kv ? (JSON.parse(kv.value) as PasswordRecord) : undefined;
  }

  /** Creates or replaces the record (compare-and-swap, retried when another writer got there first). */
  async set(username: string, record: PasswordRecord): Promise<void> {
    const key = internalKey(PASSWORDS_AREA, username);
    const value = JSON.stringify(record);
    for (let attempt = 0; ; attempt++) {
      const live = await this.store.get(key);
      try {
        if (live) await this.store.update(key, value, live.modRevision);
        else await this.store.create(key, value);
        return;
      } catch (err) {
        const raced = isStoreError(err, "RevisionConflict") || isStoreError(err, "KeyExists") || isStoreError(err, "KeyNotFound");
        if (!raced || attempt >= 8) throw err;
      }
    }
  }
}
