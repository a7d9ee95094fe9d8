// The module context's ValueSealer over the master keyring: what the store holds besides Secret values
// (the JWT signing secret, later private keys) sealed the same way. Names carry a `/`, which no Secret
// name can, so a blob never opens as a Secret value or the other way round.

import type { SealedBlob, ValueSealer } from "../server/module.js";
import type { Keyring } from "./keyring.js";
import { openSealedValue, sealValue } from "./sealing.js";

const target = (name: string) => ({ name: `system/${name}`, version: 1 });

export function keyringSealer(keyring: Keyring, random: (n: number) => Uint8Array): ValueSealer {
  return {
    seal: (name, plaintext) => sealValue(plaintext, target(name), { keyring, random }),
    open: (name, sealed: SealedBlob) => openSealedValue(sealed, target(name), keyring),
    isCurrent: (sealed) => sealed.keyId === keyring.primaryId,
  };
}
