// `claw apply -f FILE|DIR|- [-R] [--prune [--applyset NAME]] [--dry-run=server]`: server-side apply of
// every document, in file order; with --prune, then the set's objects that are gone from the files deleted.

import type { Command } from "commander";
import { FailureLog, runAction } from "../cli-action.js";
import { ManifestError, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { applyObject } from "../apply-object.js";
import { applySetId, memberKey, withApplySetLabel } from "../apply-set.js";
import { qualifiedKind } from "../kind-resolver.js";
import { readManifests } from "../manifest-reader.js";
import { prune } from "./apply-prune.js";
import { kindOfDocument, requireFilenames } from "./manifest-targets.js";

export interface ApplyFlags {
  filename?: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  fieldManager: string;
  prune?: boolean;
  applyset?: string;
  dryRun?: string;
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
    .option("--prune", "delete the objects an earlier apply of this set made that are no longer in the files")
    .option("--applyset <name>", "the apply set's name (label security.clawbernetes.com/apply-set); default: a hash of the -f paths")
    .option("--dry-run <mode>", "server: show what would be applied and pruned, change nothing (none: the default)")
    .action(runAction(session, async (flags: ApplyFlags) => apply(session, flags)));
}

/** `--dry-run`: only `server` (and `none`); kubectl's client dry run cannot predict server-side apply. */
export function parseDryRun(value: string | undefined): boolean {
  if (value === undefined || value === "none") return false;
  if (value === "server") return true;
  throw new UsageError(`--dry-run must be "server" or "none", not "${value}" (a client dry run cannot predict a server-side apply)`);
}

async function apply(session: CliSession, flags: ApplyFlags): Promise<void> {
  const paths = requireFilenames(flags.filename, "apply");
  const dryRun = parseDryRun(flags.dryRun);
  if (flags.applyset !== undefined && !flags.prune) throw new UsageError("--applyset names the set that --prune prunes; add --prune");
  const setId = flags.prune ? applySetId({ name: flags.applyset, paths, cwd: process.cwd() }) : undefined;
  const manifests = await readManifests(paths, { recursive: flags.recursive === true, stdin: session.deps.stdin });
  const failures = new FailureLog(session);
  for (const problem of manifests.problems) failures.report(problem);
  if (manifests.documents.length === 0 && !failures.failed) throw new ManifestError(`no objects found in ${paths.join(", ")}`);
  const client = manifests.documents.length || setId ? await session.client() : undefined;
  const applied = new Set<string>();
  const suffix = dryRun ? " (server dry run)" : "";
  for (const doc of manifests.documents) {
    try {
      const kind = await kindOfDocument(session.kinds(), doc);
      applied.add(memberKey(kind.plural, doc.object.metadata.name));
      const { result } = await applyObject(client!, {
        plural: kind.plural,
        object: setId ? withApplySetLabel(doc.object, setId) : doc.object,
        fieldManager: flags.fieldManager,
        force: flags.forceConflicts === true,
        dryRun,
        signal: session.deps.signal,
      });
      session.out(`${qualifiedKind(kind)}/${doc.object.metadata.name} ${result}${suffix}\n`);
    } catch (err) {
      if (failures.report(err, err instanceof ManifestError ? undefined : `applying ${doc.label}`)) break;
    }
  }
  if (setId && client) {
    // A document that could not be read or applied must not look gone: prune only after a clean apply.
    if (failures.failed) session.err(`error: not pruning apply set ${setId}: fix the failures above and apply again`);
    else await prune({ session, client, id: setId, applied, dryRun, failures });
  }
  failures.finish();
}
