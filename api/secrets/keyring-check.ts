// The start-up check: before serving, open a sample of the stored sealed values, so a missing or wrong
// master key stops the server with one clear message instead of failing request by request.

import type { SealTarget } from "./key-derivation.js";
import type { Keyring } from "./keyring.js";
import { isSealedValueError, openSealedValue, type SealedValueErrorReason } from "./sealing.js";

/** A sealed value as read from the store, with the secret and version it belongs to. */
export interface StoredSealedValue {
  target: SealTarget;
  sealed: unknown;
}

export type KeyringCheck =
  | { ok: true; checked: number }
  | { ok: false; reason: SealedValueErrorReason; target: SealTarget; keyId?: string; message: string };

export interface CheckKeyringOptions {
  keyring: Keyring;
  /** Where the keys came from, for the message (e.g. "the key file /var/lib/claw/secrets/master.key"). */
  keySource: string;
}

/** Whether the keyring opens every sample; on the first that fails, a message saying what to do. */
export function checkKeyringOpens(samples: readonly StoredSealedValue[], opts: CheckKeyringOptions): KeyringCheck {
  for (const { target, sealed } of samples) {
    try {
      openSealedValue(sealed, target, opts.keyring).fill(0);
    } catch (err) {
      if (!isSealedValueError(err)) throw err;
      const keyId = keyIdIn(sealed);
      return { ok: false, reason: err.reason, target, ...(keyId ? { keyId } : {}), message: advice(err.reason, err.message, opts) };
    }
  }
  return { ok: true, checked: samples.length };
}

function advice(reason: SealedValueErrorReason, detail: string, opts: CheckKeyringOptions): string {
  if (reason === "UnknownKeyId")
    return `the master key from ${opts.keySource} cannot open the stored secrets: ${detail}. Start the server with the master key that sealed them (when rotating, put the new key first and keep the old one after it until \`claw secrets rekey\` finishes)`;
  return `a stored secret cannot be opened with the master key from ${opts.keySource}: ${detail}. Restore it from a backup, or delete the secret and create it again`;
}

const keyIdIn = (sealed: unknown): string | undefined =>
  typeof sealed === "object" && sealed !== null && typeof (sealed as { keyId?: unknown }).keyId === "string" ? (sealed as { keyId: string }).keyId : undefined;
