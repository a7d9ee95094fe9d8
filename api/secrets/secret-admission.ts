// Write-only secret values: on every write of a Secret (create, update, patch, apply, dry-run alike) the
// value a client sends in spec.valueFrom.value is sealed into spec.sealed and removed before the object goes
// further, so no stored object, response, watch event, managedFields entry or audit entry carries it.
// Sending the same value (or a generator, once a value exists) again keeps the version; a different
// value makes version + 1, recorded in the version history in the same transaction. spec.sealed is the
// server's: a client cannot set or change it.

import { timingSafeEqual } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import { invalid } from "../machinery/errors.js";
import { GROUP, type KubeObject } from "../machinery/meta.js";
import type { AdmissionPlugin, AdmissionRequest } from "../server/admission.js";
import type { Store } from "../store/store.js";
import type { Secret, SecretSealed, SecretSpec } from "../types/secret.js";
import type { SecretVersionInfo } from "../types/secrets-api.js";
import type { Keyring } from "./keyring.js";
import { stripLastApplied } from "./last-applied.js";
import { openSealedValue, sealValue } from "./sealing.js";
import { generateValue } from "./value-generator.js";
import { deleteVersion, putVersion, readVersions } from "./version-history.js";

export interface SecretAdmissionDeps {
  keyring: Keyring;
  random: (n: number) => Uint8Array;
  clock: Clock;
  store: Store;
  keepVersions: number;
}

/** AdmissionRequest.hints a server endpoint sets: where a rotated value came from, and a rekey. */
export const SECRET_SOURCE_HINT = "secretSource";
export const REKEY_HINT = "secretRekey";
/** The generator a rotate endpoint used (JSON), recorded with the version it made. */
export const GENERATOR_HINT = "secretGenerator";

function parseGenerator(text: string | undefined): SecretVersionInfo["generator"] {
  if (!text) return undefined;
  const { length, charset } = JSON.parse(text) as NonNullable<SecretVersionInfo["generator"]>;
  return { ...(length !== undefined ? { length } : {}), ...(charset !== undefined ? { charset } : {}) };
}

export function secretAdmission(deps: SecretAdmissionDeps): AdmissionPlugin {
  return {
    name: "SecretValues",
    async admit(request) {
      if (request.info.group !== GROUP || request.info.plural !== "secrets" || request.subresource) return;
      if (request.operation === "DELETE") return forgetHistory(deps, request);
      if (!request.object) return;
      return admitSecret(deps, request);
    },
  };
}

async function admitSecret(deps: SecretAdmissionDeps, request: AdmissionRequest): Promise<KubeObject> {
  const secret = request.object as Secret;
  const { name, uid = "" } = secret.metadata;
  const old = request.oldObject as Secret | undefined;
  const { valueFrom, sealed: sent, ...rest } = secret.spec ?? {};
  const before = old?.spec?.sealed;
  if (sent !== undefined && !isDeepStrictEqual(sent, before))
    throw invalid({ group: GROUP, kind: "Secret", name }, [
      { field: "spec.sealed", reason: "FieldValueForbidden", message: "Forbidden: spec.sealed is set by the API server; send the value in spec.valueFrom.value (or spec.valueFrom.generate)" },
    ]);
  let sealed: SecretSealed | undefined = before;
  let plaintext: string | undefined;
  if (valueFrom?.value !== undefined && !(before && sameValue(deps, before, name, valueFrom.value))) plaintext = valueFrom.value;
  else if (valueFrom?.generate !== undefined && !before) plaintext = generateValue(valueFrom.generate, deps.random);
  if (plaintext !== undefined) {
    const version = (before?.version ?? 0) + 1;
    sealed = sealValue(plaintext, { name, version }, deps);
    const source = (request.hints?.[SECRET_SOURCE_HINT] as SecretVersionInfo["source"] | undefined) ?? (valueFrom?.value !== undefined ? "Value" : "Generated");
    const generator = valueFrom?.value === undefined ? valueFrom?.generate : parseGenerator(request.hints?.[GENERATOR_HINT]);
    const info: SecretVersionInfo = { version, createdAt: toRfc3339(deps.clock.now()), source, actor: request.user?.name ?? "system:server", keyId: sealed.keyId, ...(generator ? { generator } : {}) };
    request.effects.push(putVersion(uid, { ...info, sealed }));
    if (version > deps.keepVersions) request.effects.push(deleteVersion(uid, version - deps.keepVersions));
  } else if (sealed && request.hints?.[REKEY_HINT]) {
    sealed = await rekey(deps, request, uid, name, sealed);
  }
  // The generator is kept (it is no secret, and a re-apply of the same manifest then changes nothing); a value never is.
  const generate = valueFrom?.value === undefined ? valueFrom?.generate : undefined;
  const spec: SecretSpec = { ...rest, ...(generate ? { valueFrom: { generate } } : {}), ...(sealed ? { sealed } : {}) };
  return { ...secret, metadata: stripLastApplied(secret.metadata), spec };
}

/** Re-seals the current value and every kept version under the primary key, same versions. */
async function rekey(deps: SecretAdmissionDeps, request: AdmissionRequest, uid: string, name: string, current: SecretSealed): Promise<SecretSealed> {
  const reseal = (sealed: SecretSealed): SecretSealed => {
    if (sealed.keyId === deps.keyring.primaryId) return sealed;
    const value = openSealedValue(sealed, { name, version: sealed.version }, deps.keyring);
    try {
      return sealValue(value, { name, version: sealed.version }, deps);
    } finally {
      value.fill(0);
    }
  };
  const next = reseal(current);
  for (const record of await readVersions(deps.store, uid)) {
    if (record.sealed.keyId === deps.keyring.primaryId) continue;
    const sealed = record.sealed.version === current.version ? next : reseal(record.sealed);
    request.effects.push(putVersion(uid, { ...record, keyId: sealed.keyId, sealed }));
  }
  return next;
}

/** A deleted secret's versions go with it (when nothing holds the object back). */
async function forgetHistory(deps: SecretAdmissionDeps, request: AdmissionRequest): Promise<void> {
  const old = request.oldObject;
  if (!old?.metadata.uid || (old.metadata.finalizers ?? []).length > 0) return;
  for (const record of await readVersions(deps.store, old.metadata.uid)) request.effects.push(deleteVersion(old.metadata.uid, record.version));
}

/** Whether `value` is what `sealed` holds (constant time); a value the keyring cannot open counts as different. */
function sameValue(deps: SecretAdmissionDeps, sealed: SecretSealed, name: string, value: string): boolean {
  try {
    const current = openSealedValue(sealed, { name, version: sealed.version }, deps.keyring);
    const candidate = new TextEncoder().encode(value);
    return current.length === candidate.length && timingSafeEqual(current, candidate);
  } catch {
    return false;
  }
}
