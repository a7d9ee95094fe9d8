// Write-only secret values: on every write of a Secret (create, update, patch, apply, dry-run alike) the
// value a client sends in spec.valueFrom is sealed into spec.sealed and removed before the object goes
// further, so no stored object, response, watch event, managedFields entry or audit entry carries it.
// Sending the same value (or a generator, once a value exists) again keeps the version; a different
// value makes version + 1. spec.sealed is the server's: a client cannot set or change it.

import { timingSafeEqual } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { invalid } from "../machinery/errors.js";
import { GROUP, type KubeObject } from "../machinery/meta.js";
import type { AdmissionPlugin, AdmissionRequest } from "../server/admission.js";
import type { Secret, SecretSealed, SecretSpec } from "../types/secret.js";
import type { Keyring } from "./keyring.js";
import { stripLastApplied } from "./last-applied.js";
import { openSealedValue, sealValue } from "./sealing.js";
import { generateValue } from "./value-generator.js";

export interface SecretAdmissionDeps {
  keyring: Keyring;
  random: (n: number) => Uint8Array;
}

export function secretAdmission(deps: SecretAdmissionDeps): AdmissionPlugin {
  return {
    name: "SecretValues",
    admit(request) {
      if (request.info.group !== GROUP || request.info.plural !== "secrets" || request.subresource || request.operation === "DELETE" || !request.object) return;
      return admitSecret(deps, request);
    },
  };
}

function admitSecret(deps: SecretAdmissionDeps, request: AdmissionRequest): KubeObject {
  const secret = request.object as Secret;
  const name = secret.metadata.name;
  const old = request.oldObject as Secret | undefined;
  const { valueFrom, sealed: sent, ...rest } = secret.spec ?? {};
  const before = old?.spec?.sealed;
  if (sent !== undefined && !isDeepStrictEqual(sent, before))
    throw invalid({ group: GROUP, kind: "Secret", name }, [
      { field: "spec.sealed", reason: "FieldValueForbidden", message: "Forbidden: spec.sealed is set by the API server; send the value in spec.valueFrom.value (or spec.valueFrom.generate)" },
    ]);
  let sealed: SecretSealed | undefined = before;
  if (valueFrom?.value !== undefined) {
    if (!before || !sameValue(deps, before, name, valueFrom.value)) sealed = sealValue(valueFrom.value, { name, version: (before?.version ?? 0) + 1 }, deps);
  } else if (valueFrom?.generate !== undefined && !before) {
    sealed = sealValue(generateValue(valueFrom.generate, deps.random), { name, version: 1 }, deps);
  }
  const spec: SecretSpec = { ...rest, ...(sealed ? { sealed } : {}) };
  const metadata = stripLastApplied(secret.metadata);
  return { ...secret, metadata, spec };
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
