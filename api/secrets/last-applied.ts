// kubectl's client-side apply copies the whole manifest, value included, into the annotation
// kubectl.kubernetes.io/last-applied-configuration. A value is removed from it before the object is
// stored; kubectl then sees the value as new on the next apply (and says "configured"), which the server
// answers as "same value, same version" — `kubectl apply --server-side` keeps no such copy. A generator is
// kept. An annotation that is not JSON is dropped whole rather than kept with a value in it.

import type { ObjectMeta } from "../machinery/meta.js";

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function stripLastApplied(metadata: ObjectMeta): ObjectMeta {
  const text = metadata.annotations?.[LAST_APPLIED];
  if (text === undefined) return metadata;
  const annotations = { ...metadata.annotations };
  let parsed: { spec?: { valueFrom?: { value?: unknown }; sealed?: unknown } } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) delete annotations[LAST_APPLIED];
  else if (parsed.spec && typeof parsed.spec === "object") {
    // A generator is no secret: keeping it lets a re-apply of a generated secret read "unchanged".
    const valueFrom = parsed.spec.valueFrom;
    const hasValue = !!valueFrom && typeof valueFrom === "object" && "value" in valueFrom;
    // Untouched unless it holds something to remove: kubectl compares the text, and a rewrite reads as a change.
    if (!hasValue && !("sealed" in parsed.spec)) return metadata;
    if (hasValue) delete parsed.spec.valueFrom;
    delete parsed.spec.sealed;
    annotations[LAST_APPLIED] = JSON.stringify(parsed);
  }
  return { ...metadata, annotations };
}
