// MFA records in internal store keys (/claw/mfa/{username}), never in the User object: the TOTP secret
// sealed under the master keyring (the module context's ValueSealer, bound to the user's name and uid),
// recovery codes as SHA-256 hashes, the last accepted time step, and the wrong-code lockout.

import { createHash, timingSafeEqual } from "node:crypto";
import { serviceUnavailable } from "../machinery/errors.js";
import type { SealedBlob, ValueSealer } from "../server/module.js";
import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";

export const MFA_AREA = "mfa";
export const RECOVERY_CODE_COUNT = 10;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export interface RecoveryCodeRecord {
  sha256: string;
  usedAt?: string;
}

export interface MfaRecord {
  /** The User's uid: a user deleted and created again under the same name does not inherit MFA. */
  userUid: string;
  /** The TOTP secret, sealed. */
  sealed: SealedBlob;
  /** false between enroll and confirm. */
  enabled: boolean;
  createdAt: string;
  enabledAt?: string;
  /** The last accepted TOTP time step: a code of this step or an earlier one is refused. */
  lastStep?: number;
  recoveryCodes: RecoveryCodeRecord[];
  /** Wrong codes since the last success or lock. */
  failures: number;
  /** RFC 3339. */
  lockedUntil?: string;
}

export interface Versioned {
  record: MfaRecord;
  revision: number;
}

export class MfaStore {
  /** `sealer` is read when needed: the secrets module provides it to the context. */
  constructor(private readonly opts: { store: Store; sealer: () => ValueSealer | undefined }) {}

  /** The record when it belongs to the user with this uid (a stale one, of a deleted user, counts as none). */
  async get(username: string, userUid: string): Promise<Versioned | undefined> {
    const kv = await this.opts.store.get(internalKey(MFA_AREA, username));
    if (!kv) return undefined;
    const record = JSON.parse(kv.value) as MfaRecord;
    return record.userUid === userUid ? { record, revision: kv.modRevision } : { record: { ...record, enabled: false, userUid: "" }, revision: kv.modRevision };
  }

  /** Writes when the stored revision is still `revision` (undefined: absent); false when another writer got there first. */
  async put(username: string, record: MfaRecord, revision: number | undefined): Promise<boolean> {
    const key = internalKey(MFA_AREA, username);
    try {
      if (revision === undefined) await this.opts.store.create(key, JSON.stringify(record));
      else await this.opts.store.update(key, JSON.stringify(record), revision);
      return true;
    } catch (err) {
      if (isStoreError(err, "RevisionConflict") || isStoreError(err, "KeyExists") || isStoreError(err, "KeyNotFound")) return false;
      throw err;
    }
  }

  async remove(username: string, revision: number): Promise<boolean> {
    try {
      await this.opts.store.delete(internalKey(MFA_AREA, username), revision);
      return true;
    } catch (err) {
      if (isStoreError(err, "RevisionConflict") || isStoreError(err, "KeyNotFound")) return false;
      throw err;
    }
  }

  seal(username: string, userUid: string, secret: Uint8Array): SealedBlob {
    return this.sealer().seal(sealName(username, userUid), secret);
  }

  open(username: string, record: MfaRecord): Uint8Array {
    return this.sealer().open(sealName(username, record.userUid), record.sealed);
  }

  private sealer(): ValueSealer {
    // Never kept in plain text: without the secrets module's master key there is no MFA.
    const sealer = this.opts.sealer();
    if (!sealer) throw serviceUnavailable("MFA needs the secrets module's master key to seal TOTP secrets, and this server has none");
    return sealer;
  }
}

const sealName = (username: string, userUid: string) => `mfa-totp/${username}/${userUid}`;

/** 80 random bits as xxxx-xxxx-xxxx-xxxx (base32, lower case): enough that a SHA-256 hash is safe to keep. */
export function newRecoveryCode(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => BASE32[b & 31]!).join("");
  return chars.match(/.{4}/g)!.join("-");
}

export const normalizeRecoveryCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, "");

export const hashRecoveryCode = (code: string): string => createHash("sha256").update(normalizeRecoveryCode(code)).digest("hex");

/** The index of the unused recovery code matching `code`, compared in constant time; -1 when none does. */
export function matchRecoveryCode(codes: readonly RecoveryCodeRecord[], code: string): number {
  const hash = Buffer.from(hashRecoveryCode(code), "hex");
  let found = -1;
  codes.forEach((c, i) => {
    if (!c.usedAt && timingSafeEqual(Buffer.from(c.sha256, "hex"), hash) && found < 0) found = i;
  });
  return found;
}
