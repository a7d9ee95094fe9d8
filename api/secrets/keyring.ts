// The master keys this server holds: the primary seals new values, every key opens what it sealed. Keys
// are found by key id (a fingerprint); the key bytes never leave through JSON or inspection.

import { inspect } from "node:util";
import { keyIdOf, MASTER_KEY_BYTES } from "./key-derivation.js";

export class Keyring {
  readonly #keys: ReadonlyMap<string, Uint8Array>;
  /** The key id that seals new values. */
  readonly primaryId: string;

  /** The first key is the primary; the others only open values sealed before a rotation. Duplicates are dropped. */
  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new RangeError("a keyring needs at least one master key");
    const byId = new Map<string, Uint8Array>();
    for (const key of keys) {
      if (key.length !== MASTER_KEY_BYTES) throw new RangeError(`a master key is ${MASTER_KEY_BYTES} bytes, not ${key.length}`);
      const id = keyIdOf(key);
      if (!byId.has(id)) byId.set(id, Uint8Array.from(key));
    }
    this.#keys = byId;
    this.primaryId = keyIdOf(keys[0]!);
  }

  /** Every key id, the primary first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** The key with this id, for sealing and opening only; undefined when the keyring lacks it. */
  keyFor(keyId: string): Uint8Array | undefined {
    return this.#keys.get(keyId);
  }

  toJSON(): { primaryId: string; ids: string[] } {
    return { primaryId: this.primaryId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `Keyring { primary: ${this.primaryId}, ids: [${this.ids.join(", ")}] }`;
  }
}
