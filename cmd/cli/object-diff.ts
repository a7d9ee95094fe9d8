// `claw diff`'s view of one object: live and merged (the dry-run apply) as YAML without metadata noise,
// secret fields masked, compared as `diff -u -N LIVE/… MERGED/…` as kubectl diff prints them.

import YAML from "yaml";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { ResolvedKind } from "./kind-resolver.js";
import { unifiedHunks } from "./unified-diff.js";

/** Metadata the server owns that changes with every write and says nothing about intent. */
const NOISE = ["managedFields", "resourceVersion", "generation", "creationTimestamp", "uid"] as const;

/**
 * Fields the Secret CRD keeps secret: `spec.valueFrom.value` (format: password, write-only) and the sealed
 * value's nonce and ciphertext (format: byte). Their values are never printed.
 */
export const SECRET_FIELDS: Record<string, string[][]> = {
  Secret: [
    ["spec", "valueFrom", "value"],
    ["spec", "sealed", "nonce"],
    ["spec", "sealed", "ciphertext"],
  ],
};

export const MASK = "***";

export interface ObjectDiff {
  /** The unified diff with its headers; "" when live and merged are the same. */
  text: string;
  /** Dotted paths of masked fields whose values differ, for a note beside the diff. */
  maskedChanges: string[];
}

/** A copy of obj without the server's bookkeeping fields. */
export function withoutNoise(obj: KubeObject): KubeObject {
  const metadata = { ...obj.metadata };
  for (const key of NOISE) delete metadata[key];
  return { ...obj, metadata };
}

/**
 * Masks secret fields of both sides: the same value on both is `***`; different values are
 * `*** (before)` and `*** (after)`, so the diff shows that it changes and never what it is.
 */
export function maskSecrets(kind: string, live: KubeObject | undefined, merged: KubeObject | undefined): { live?: KubeObject; merged?: KubeObject; changed: string[] } {
  const paths = SECRET_FIELDS[kind] ?? [];
  const a = live ? structuredClone(live) : undefined;
  const b = merged ? structuredClone(merged) : undefined;
  const changed: string[] = [];
  for (const path of paths) {
    const before = a ? readPath(a, path) : undefined;
    const after = b ? readPath(b, path) : undefined;
    if (before === undefined && after === undefined) continue;
    const same = JSON.stringify(before) === JSON.stringify(after);
    if (!same) changed.push(path.join("."));
    if (a && before !== undefined) writePath(a, path, same ? MASK : `${MASK} (before)`);
    if (b && after !== undefined) writePath(b, path, same ? MASK : `${MASK} (after)`);
  }
  return { ...(a ? { live: a } : {}), ...(b ? { merged: b } : {}), changed };
}

/** `security.clawbernetes.com.v1.Role..ml-engineer`: kubectl diff's file name (group.version.Kind.namespace.name). */
export const diffFileName = (kind: ResolvedKind, name: string): string => `${kind.group}.${kind.version}.${kind.kind}..${name}`;

export function renderObjectDiff(kind: ResolvedKind, live: KubeObject | undefined, merged: KubeObject | undefined): ObjectDiff {
  const masked = maskSecrets(kind.kind, live && withoutNoise(live), merged && withoutNoise(merged));
  const hunks = unifiedHunks(lines(masked.live), lines(masked.merged));
  if (!hunks) return { text: "", maskedChanges: masked.changed };
  const file = diffFileName(kind, (merged ?? live)?.metadata.name ?? "");
  const text = `diff -u -N LIVE/${file} MERGED/${file}\n--- LIVE/${file}\n+++ MERGED/${file}\n${hunks}`;
  return { text, maskedChanges: masked.changed };
}

function lines(obj: KubeObject | undefined): string[] {
  if (!obj) return [];
  return YAML.stringify(obj, { lineWidth: 0 }).replace(/\n$/, "").split("\n");
}

function readPath(obj: unknown, path: string[]): unknown {
  let at: unknown = obj;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function writePath(obj: unknown, path: string[], value: unknown): void {
  let at = obj as Record<string, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = value;
}
