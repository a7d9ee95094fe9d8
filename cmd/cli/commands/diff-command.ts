// `claw diff -f FILE|DIR|- [-R] [--prune [--applyset NAME]]`: what `claw apply` would change, as kubectl
// diff prints it. Each document is applied with dryRun=All beside the live object; exit 0 when nothing
// would change, 1 when something would, and an error's own code (never 1) when something failed.

import type { Command } from "commander";
import { isNotFound } from "../../../api/machinery/errors.js";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { APPLY_SET_LABEL, applySetId, memberKey, prunePlan, withApplySetLabel } from "../apply-set.js";
import { FailureLog, runAction } from "../cli-action.js";
import { ManifestError, ReportedFailure } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { renderError } from "../error-render.js";
import { ExitCode } from "../exit-codes.js";
import { qualifiedKind, type ResolvedKind } from "../kind-resolver.js";
import { readManifests } from "../manifest-reader.js";
import { renderObjectDiff } from "../object-diff.js";
import { collect } from "./apply-command.js";
import { listSetMembers } from "./apply-prune.js";
import { kindOfDocument, requireFilenames } from "./manifest-targets.js";

interface DiffFlags {
  filename?: string[];
  recursive?: boolean;
  forceConflicts?: boolean;
  fieldManager: string;
  prune?: boolean;
  applyset?: string;
}

export function addDiffCommand(program: Command, session: CliSession): void {
  program
    .command("diff")
    .description("show what apply -f would change: a server-side dry run beside the live objects (exit 1 when something would change)")
    .option("-f, --filename <path>", "a file, a folder of .yaml/.yml/.json files, or - for standard input (repeatable)", collect)
    .option("-R, --recursive", "also read the folders inside -f folders")
    .option("--force-conflicts", "diff as apply --force-conflicts would apply")
    .option("--field-manager <name>", "the field manager the apply would use", "claw")
    .option("--prune", "also show the objects apply --prune would delete")
    .option("--applyset <name>", "the apply set's name, as given to apply --prune")
    .action(runAction(session, async (flags: DiffFlags) => diff(session, flags)));
}

/** The exit code of a diff that failed: its own, except the catch-all 1, which means "differences" here. */
export const diffErrorCode = (code: ExitCode): ExitCode => (code === ExitCode.Failure ? ExitCode.DiffFailed : code);

/** Thrown when the diff found changes: exit 1 with nothing more to say. */
class DifferencesFound extends ReportedFailure {
  constructor() {
    super(ExitCode.Failure);
  }
}

async function diff(session: CliSession, flags: DiffFlags): Promise<void> {
  try {
    await diffAll(session, flags);
  } catch (err) {
    if (err instanceof DifferencesFound) throw err;
    if (err instanceof ReportedFailure) throw new ReportedFailure(diffErrorCode(err.exitCode));
    const rendered = renderError(err, session.errorContext());
    if (rendered.message) session.err(rendered.message);
    throw new ReportedFailure(diffErrorCode(rendered.exitCode));
  }
}

async function diffAll(session: CliSession, flags: DiffFlags): Promise<void> {
  const paths = requireFilenames(flags.filename, "diff");
  const setId = flags.prune ? applySetId({ name: flags.applyset, paths, cwd: process.cwd() }) : undefined;
  const manifests = await readManifests(paths, { recursive: flags.recursive === true, stdin: session.deps.stdin });
  const failures = new FailureLog(session);
  for (const problem of manifests.problems) failures.report(problem);
  if (manifests.documents.length === 0 && !failures.failed) throw new ManifestError(`no objects found in ${paths.join(", ")}`);
  const client = await session.client();
  const applied = new Set<string>();
  let differs = false;
  const show = (kind: ResolvedKind, live: KubeObject | undefined, merged: KubeObject | undefined): void => {
    const rendered = renderObjectDiff(kind, live, merged);
    if (!rendered.text) return;
    differs = true;
    session.out(rendered.text);
    const name = (merged ?? live)?.metadata.name ?? "";
    if (rendered.maskedChanges.length) session.err(`note: ${qualifiedKind(kind)}/${name}: the secret value would change (${rendered.maskedChanges.join(", ")}); values are shown as ***`);
  };
  for (const doc of manifests.documents) {
    try {
      const kind = await kindOfDocument(session.kinds(), doc);
      const name = doc.object.metadata.name;
      applied.add(memberKey(kind.plural, name));
      const live = await client.get(kind.plural, name, { signal: session.deps.signal }).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      // Without --prune, keep the set label a pruning apply put there, so a plain diff does not show it removed.
      const label = setId ?? live?.metadata.labels?.[APPLY_SET_LABEL];
      const object = label ? withApplySetLabel(doc.object, label) : doc.object;
      const merged = await client.apply(kind.plural, object, { fieldManager: flags.fieldManager, force: flags.forceConflicts === true, dryRun: true, signal: session.deps.signal });
      show(kind, live, merged);
    } catch (err) {
      if (failures.report(err, err instanceof ManifestError ? undefined : `diffing ${doc.label}`)) break;
    }
  }
  if (setId && !failures.failed) {
    const members = await listSetMembers(session, client, setId, failures);
    for (const member of prunePlan(members, applied, setId)) show(member.kind, member.object, undefined);
  }
  failures.finish();
  if (differs) throw new DifferencesFound();
}
