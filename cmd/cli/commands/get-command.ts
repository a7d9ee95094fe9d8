// `claw get KIND [NAME…] [-o wide|yaml|json|name|jsonpath=…|custom-columns=…] [-l SELECTOR] [-w [--output-watch-events]]`

import type { Command } from "commander";
import type { Table } from "../../../api/client/api-types.js";
import type { RestClient } from "../../../api/client/rest-client.js";
import type { KubeList, KubeObject } from "../../../api/machinery/meta.js";
import { FailureLog, runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import type { ResolvedKind } from "../kind-resolver.js";
import { ObjectOutput, OUTPUT_HELP, parseOutput } from "../printers/output-format.js";
import { asTable, TablePrinter, withEventColumn } from "../printers/table-printer.js";
import { parseResourceArgs } from "../resource-args.js";
import { watchObjects, watchTable } from "./get-watch.js";

export interface GetFlags {
  output?: string;
  selector?: string;
  watch?: boolean;
  noHeaders?: boolean;
  showManagedFields?: boolean;
  outputWatchEvents?: boolean;
}

export function addGetCommand(program: Command, session: CliSession): void {
  program
    .command("get")
    .description("list objects of a kind, or show some by name")
    .argument("<kind>", "plural, singular or short name (roles, role, rl), or KIND/NAME")
    .argument("[names...]", "object names; all objects when none")
    .option("-o, --output <format>", `output format: ${OUTPUT_HELP}`)
    .option("-l, --selector <selector>", "label selector, e.g. team=ml,tier!=dev")
    .option("-w, --watch", "after listing, print changes as they happen (Ctrl-C stops)")
    .option("--no-headers", "leave out the table header")
    .option("--show-managed-fields", "keep metadata.managedFields in yaml/json output")
    .option("--output-watch-events", "with -w, say ADDED, MODIFIED or DELETED for each change (an EVENT column, or {type, object})")
    .action(runAction(session, async (kind: string, names: string[], flags: GetFlags) => get(session, [kind, ...names], flags)));
}

async function get(session: CliSession, args: string[], flags: GetFlags): Promise<void> {
  const output = parseOutput(flags.output);
  if (flags.outputWatchEvents && !flags.watch) throw new UsageError("--output-watch-events goes with -w (--watch)");
  const target = parseResourceArgs(args, "get");
  if (target.names.length && flags.selector) throw new UsageError("give names or a label selector (-l), not both");
  const kind = await session.kinds().resolve(target.kind);
  const client = await session.client();
  const failures = new FailureLog(session);
  if (output.type === "table") {
    await getTable({ session, client, kind, names: target.names, flags, failures });
  } else {
    const printer = new ObjectOutput(output, { kind, showManagedFields: flags.showManagedFields === true, noHeaders: flags.noHeaders === true, watchEvents: flags.outputWatchEvents === true });
    await getObjects({ session, client, kind, names: target.names, flags, output: printer, failures, isName: output.type === "objects" && output.format === "name" });
  }
  failures.finish();
}

interface GetRun {
  session: CliSession;
  client: RestClient;
  kind: ResolvedKind;
  names: string[];
  flags: GetFlags;
  failures: FailureLog;
}

async function getTable(run: GetRun): Promise<void> {
  const { session, client, kind, names, flags, failures } = run;
  const signal = session.deps.signal;
  const printer = new TablePrinter({ wide: flags.output === "wide", nowMs: session.clock.now(), noHeaders: flags.noHeaders === true });
  let table: Table | undefined;
  let resourceVersion: string | undefined;
  if (names.length === 0) {
    table = asTable(await client.table(kind.plural, { labelSelector: flags.selector, signal }));
    resourceVersion = table.metadata.resourceVersion;
  } else {
    for (const name of names) {
      try {
        const one = asTable(await client.table(kind.plural, { name, signal }));
        table = table ? { ...table, rows: [...table.rows, ...one.rows] } : one;
        resourceVersion = newestResourceVersion([resourceVersion, one.metadata.resourceVersion ?? one.rows[0]?.object?.metadata?.resourceVersion]);
      } catch (err) {
        if (failures.report(err)) return;
      }
    }
  }
  const events = flags.outputWatchEvents === true;
  if (table && table.rows.length > 0) session.out(printer.render(events ? withEventColumn(table, "ADDED") : table).map((l) => `${l}\n`).join(""));
  else if (!failures.failed) session.err("No resources found");
  if (flags.watch) await watchTable({ session, client, kind, printer, names, selector: flags.selector, resourceVersion, seed: table, events });
}

async function getObjects(run: GetRun & { output: ObjectOutput; isName: boolean }): Promise<void> {
  const { session, client, kind, names, flags, failures, output } = run;
  const signal = session.deps.signal;
  const objects: KubeObject[] = [];
  let resourceVersion: string | undefined;
  if (names.length === 0) {
    const list: KubeList = await client.list(kind.plural, { labelSelector: flags.selector, signal });
    objects.push(...list.items);
    resourceVersion = list.metadata.resourceVersion;
  } else {
    for (const name of names) {
      try {
        const obj = await client.get(kind.plural, name, { signal });
        objects.push(obj);
        resourceVersion = newestResourceVersion([resourceVersion, obj.metadata.resourceVersion]);
      } catch (err) {
        if (failures.report(err)) return;
      }
    }
  }
  if (flags.watch && flags.outputWatchEvents) {
    for (const obj of objects) session.out(output.event("ADDED", obj));
  } else if (objects.length > 0 || names.length === 0) {
    if (objects.length === 0 && run.isName) session.err("No resources found");
    else if (!(flags.watch && objects.length === 0)) session.out(output.list(objects, names.length !== 1));
  }
  if (flags.watch) await watchObjects({ session, client, kind, names, selector: flags.selector, resourceVersion, output });
}

/** Where a watch of named objects starts: the newest of their resourceVersions (numeric ones). */
export function newestResourceVersion(versions: (string | undefined)[]): string | undefined {
  const numeric = versions.filter((v): v is string => v !== undefined && /^\d+$/.test(v));
  if (numeric.length === 0) return versions.at(-1);
  return numeric.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a));
}
