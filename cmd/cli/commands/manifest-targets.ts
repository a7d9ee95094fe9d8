// The served kind of each manifest document, for apply and delete -f.

import { ManifestError } from "../cli-errors.js";
import type { KindResolver, ResolvedKind } from "../kind-resolver.js";
import type { ManifestDocument } from "../manifest-reader.js";

export async function kindOfDocument(kinds: KindResolver, doc: ManifestDocument): Promise<ResolvedKind> {
  const { apiVersion, kind } = doc.object;
  const found = await kinds.byApiVersionKind(apiVersion, kind);
  if (found) return found;
  const served = await kinds.all();
  const sameKind = served.find((k) => k.kind.toLowerCase() === kind.toLowerCase());
  const hint = sameKind
    ? `did you mean apiVersion: ${sameKind.group}/${sameKind.version}, kind: ${sameKind.kind}?`
    : `it serves ${served.map((k) => k.kind).join(", ")} of ${served[0] ? `${served[0].group}/${served[0].version}` : "no group"}`;
  return Promise.reject(new ManifestError(`${doc.label}: the server does not serve kind ${kind} of apiVersion ${apiVersion}; ${hint}`));
}

/** The `-f` values, or a usage error naming the command. */
export function requireFilenames(filenames: string[] | undefined, verb: string): string[] {
  if (!filenames || filenames.length === 0) {
    throw new ManifestError(`claw ${verb} needs -f FILE, -f DIR or -f - (standard input)`);
  }
  return filenames;
}
