// The apply set of `claw apply --prune` (kubectl's ApplySet, kept simple): every object an apply of the
// set writes carries the label APPLY_SET_LABEL=<id>; a pruning apply deletes the labelled objects that
// are no longer among its documents, and nothing without the label.

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { KubeObject } from "../../api/machinery/meta.js";
import { UsageError } from "./cli-errors.js";

export const APPLY_SET_LABEL = "security.clawbernetes.com/apply-set";

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export interface ApplySetIdOptions {
  /** `--applyset NAME`, when given. */
  name: string | undefined;
  /** The `-f` values. */
  paths: string[];
  cwd: string;
}

/**
 * `--applyset NAME`, else `p-` and 16 hex digits of the SHA-256 of the resolved `-f` paths, so the same
 * folder is the same set from any working directory of one checkout (give a name when the checkout moves).
 */
export function applySetId(opts: ApplySetIdOptions): string {
  if (opts.name !== undefined) {
    if (!LABEL_VALUE.test(opts.name)) throw new UsageError(`--applyset "${opts.name}" is not a valid label value: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    return opts.name;
  }
  if (opts.paths.includes("-")) throw new UsageError("--prune with -f - (standard input) needs --applyset NAME to name the set");
  const resolved = [...new Set(opts.paths.map((p) => resolve(opts.cwd, p)))].sort();
  return `p-${createHash("sha256").update(resolved.join("\n")).digest("hex").slice(0, 16)}`;
}

/** A copy of obj labelled as a member of the set. */
export function withApplySetLabel(obj: KubeObject, id: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [APPLY_SET_LABEL]: id } } };
}

/** `roles/ml-engineer`: how an object is told apart from every other across kinds. */
export const memberKey = (plural: string, name: string): string => `${plural}/${name}`;

export interface SetMember {
  plural: string;
  object: KubeObject;
}

/** The members to delete: labelled with the set, not among the documents, not already being deleted. */
export function prunePlan<M extends SetMember>(members: M[], applied: Set<string>, id: string): M[] {
  return members.filter(
    (m) => m.object.metadata.labels?.[APPLY_SET_LABEL] === id && !applied.has(memberKey(m.plural, m.object.metadata.name)) && !m.object.metadata.deletionTimestamp,
  );
}
