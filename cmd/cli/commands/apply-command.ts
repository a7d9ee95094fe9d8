// `claw apply -f FILE|DIR|- [-R]`: server-side apply of every document, in file order.

import type { Command } from "commander";
import { FailureLog, runAction } from "../cli-action.js";
import { ManifestError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { applyObject } from "../apply-object.js";
import { qualifiedKind } from "../kind-resolver.js";
import { readManifests } from "../manifest-reader.js";
import { kindOfDocument, requireFilenames } from "./manifest-targets.js";

export interface ApplyFlags {
  filename?: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  fieldManager: string;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addApplyCommand(program: Command, session: CliSession): void {
  program
    .command("apply")
    .description("create or update objects from YAML or JSON files (server-side apply)")
    .option("-f, --filename <path>", "a file, a folder of .yaml/.yml/.json files, or - for standard input (repeatable)", collect)
    .option("-R, --recursive", "also read the folders inside -f folders")
    .option("--force-conflicts", "take over fields that another field manager owns")
    .option("--field-manager <name>", "the field manager recorded for the applied fields", "claw")
    .action(runAction(session, async (flags: ApplyFlags) => apply(session, flags)));
}

async function apply(session: CliSession, flags: ApplyFlags): Promise<void> {
  const paths = requireFilenames(flags.filename, "apply");
  const manifests = await readManifests(paths, { recursive: flags.recursive === true, stdin: session.deps.stdin });
  const failures = new FailureLog(session);
  for (const problem of manifests.problems) failures.report(problem);
  if (manifests.documents.length === 0 && !failures.failed) throw new ManifestError(`no objects found in ${paths.join(", ")}`);
  const client = manifests.documents.length ? await session.client() : undefined;
  for (const doc of manifests.documents) {
    try {
      const kind = await kindOfDocument(session.kinds(), doc);
      const { result } = await applyObject(client!, {
        plural: kind.plural,
        object: doc.object,
        fieldManager: flags.fieldManager,
        force: flags.forceConflicts === true,
        signal: session.deps.signal,
      });
      session.out(`${qualifiedKind(kind)}/${doc.object.metadata.name} ${result}\n`);
    } catch (err) {
      if (failures.report(err, err instanceof ManifestError ? undefined : `applying ${doc.label}`)) break;
    }
  }
  failures.finish();
}
