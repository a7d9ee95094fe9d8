// `claw delete -f FILE|DIR|- [-R]` or `claw delete KIND NAME… | -l SELECTOR | --all`

import type { Command } from "commander";
import { isNotFound } from "../../../api/machinery/errors.js";
import { FailureLog, runAction } from "../cli-action.js";
import { ManifestError, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { qualifiedKind, type ResolvedKind } from "../kind-resolver.js";
import { readManifests } from "../manifest-reader.js";
import { parseResourceArgs } from "../resource-args.js";
import { collect } from "./apply-command.js";
import { kindOfDocument, requireFilenames } from "./manifest-targets.js";

export interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  all?: boolean;
  ignoreNotFound?: boolean;
}

export function addDeleteCommand(program: Command, session: CliSession): void {
  program
    .command("delete")
    .description("delete the objects of files, or objects of a kind by name, label selector or --all")
    .argument("[args...]", "KIND NAME…, or KIND/NAME…")
    .option("-f, --filename <path>", "a file, a folder, or - for standard input (repeatable)", collect)
    .option("-R, --recursive", "also read the folders inside -f folders")
    .option("-l, --selector <selector>", "delete the objects of KIND with these labels")
    .option("--all", "delete every object of KIND")
    .option("--ignore-not-found", "treat an object that is already gone as deleted, silently")
    .action(runAction(session, async (args: string[], flags: DeleteFlags) => del(session, args, flags)));
}

async function del(session: CliSession, args: string[], flags: DeleteFlags): Promise<void> {
  const failures = new FailureLog(session);
  const targets: { kind: ResolvedKind; name: string; during?: string }[] = [];
  if (flags.filename?.length) {
    if (args.length) throw new UsageError("give -f or KIND NAME…, not both");
    const manifests = await readManifests(requireFilenames(flags.filename, "delete"), { recursive: flags.recursive === true, stdin: session.deps.stdin });
    for (const problem of manifests.problems) failures.report(problem);
    if (manifests.documents.length === 0 && !failures.failed) throw new ManifestError(`no objects found in ${flags.filename.join(", ")}`);
    for (const doc of manifests.documents) {
      try {
        targets.push({ kind: await kindOfDocument(session.kinds(), doc), name: doc.object.metadata.name, during: `deleting ${doc.label}` });
      } catch (err) {
        if (failures.report(err)) return failures.finish();
      }
    }
  } else {
    const target = parseResourceArgs(args, "delete");
    const chosen = [target.names.length > 0, flags.selector !== undefined, flags.all === true].filter(Boolean).length;
    if (chosen === 0) throw new UsageError(`say which ${target.kind} to delete: give names, -l SELECTOR or --all`);
    if (chosen > 1) throw new UsageError("give names, -l SELECTOR or --all: only one of them");
    const kind = await session.kinds().resolve(target.kind);
    let names = target.names;
    if (names.length === 0) {
      const list = await (await session.client()).list(kind.plural, { labelSelector: flags.selector, signal: session.deps.signal });
      names = list.items.map((o) => o.metadata.name);
      if (names.length === 0) session.err("No resources found");
    }
    targets.push(...names.map((name) => ({ kind, name })));
  }
  const client = targets.length ? await session.client() : undefined;
  for (const t of targets) {
    try {
      await client!.delete(t.kind.plural, t.name, { signal: session.deps.signal });
      session.out(`${qualifiedKind(t.kind)} "${t.name}" deleted\n`);
    } catch (err) {
      if (flags.ignoreNotFound && isNotFound(err)) continue;
      if (failures.report(err, t.during)) break;
    }
  }
  failures.finish();
}
