// Authenticates `X-API-Key: clk_…` and `Authorization: Bearer clk_…`: the key id in the secret finds the
// hash record, the hash is compared in constant time, then the ApiKey and its owner are checked on every
// request, so a revoked, expired or rotated key and a disabled owner are refused at once, and so is an owner
// that is not the user the key was minted for (deleted and created again under the same name).

import { toRfc3339, type Clock } from "../machinery/clock.js";
import { unauthorized } from "../machinery/errors.js";
import type { UserInfo } from "../server/admission.js";
import type { Authenticator } from "../server/authentication.js";
import { keyIdOfSecret, secretMatches } from "./api-key-secret.js";
import type { CredentialActivity } from "./credential-activity.js";
import type { IdentityRecords } from "./identity-records.js";

export const AUTHENTICATED_GROUP = "system:authenticated";

const refuse = (why: string) => unauthorized(`Unauthorized: ${why}`);

export function apiKeyAuthenticator(opts: { records: IdentityRecords; clock: Clock; activity?: CredentialActivity }): Authenticator {
  const { records, clock, activity } = opts;
  return {
    name: "apikey",
    async authenticate(credential): Promise<UserInfo | undefined> {
      if (!credential?.secret.startsWith("clk_")) return undefined;
      const keyId = keyIdOfSecret(credential.secret);
      const record = keyId ? (records.keySecrets.peek(keyId)?.value ?? (await records.keySecrets.get(keyId))) : undefined;
      // Until the secret is proven, every failure reads the same.
      if (!keyId || !record || !secretMatches(credential.secret, record.digest)) throw refuse("the API key presented is not valid");
      const key = records.apiKeys.peek(record.name)?.value ?? (await records.apiKeys.get(record.name));
      if (!key || key.uid !== record.uid || key.deleting) throw refuse(`API key ${keyId} was deleted`);
      if (key.revoked) throw refuse(`API key ${keyId} was revoked`);
      if (key.expiresAtMs !== undefined && clock.now() >= key.expiresAtMs) throw refuse(`API key ${keyId} expired at ${toRfc3339(key.expiresAtMs)}`);
      if (key.rotation > record.rotation) throw refuse(`API key ${keyId} was rotated; use its new secret`);
      const owner = records.users.peek(key.owner)?.value ?? (await records.users.get(key.owner));
      if (!owner) throw refuse(`the owner of API key ${keyId}, user "${key.owner}", does not exist`);
      if (owner.disabled) throw refuse(`the owner of API key ${keyId}, user "${key.owner}", is disabled`);
      // A record from before keys were bound to a uid: bound to an owner no younger than the key itself.
      const sameOwner = record.ownerUid !== undefined ? record.ownerUid === owner.uid : owner.createdAtMs <= key.createdAtMs;
      if (!sameOwner) throw refuse(`API key ${keyId} was minted for an earlier user "${key.owner}", since deleted; the user of that name now is another one`);
      await activity?.apiKeyUsed({ name: key.name, uid: key.uid });
      return {
        name: owner.name,
        uid: owner.uid,
        groups: [AUTHENTICATED_GROUP],
        authentication: {
          method: "apikey",
          keyId,
          scopes: key.scopeStrings,
          ...(key.expiresAtMs !== undefined ? { expiresAt: toRfc3339(key.expiresAtMs) } : {}),
        },
      };
    },
  };
}
