// `claw describe KIND [NAME…] [-l SELECTOR]`: readable metadata, spec, status and conditions.

import type { Command } from "commander";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { FailureLog, runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { describeObject } from "../printers/describe-printer.js";
import { parseResourceArgs } from "../resource-args.js";

export function addDescribeCommand(program: Command, session: CliSession): void {
  program
    .command("describe")
    .description("show objects in detail: metadata, spec, status and conditions")
    .argument("<kind>", "plural, singular or short name, or KIND/NAME")
    .argument("[names...]", "object names; all objects of the kind when none")
    .option("-l, --selector <selector>", "label selector")
    .action(
      runAction(session, async (kind: string, names: string[], flags: { selector?: string }) => {
        const target = parseResourceArgs([kind, ...names], "describe");
        if (target.names.length && flags.selector) throw new UsageError("give names or a label selector (-l), not both");
        const resolved = await session.kinds().resolve(target.kind);
        const client = await session.client();
        const signal = session.deps.signal;
        const failures = new FailureLog(session);
        const objects: KubeObject[] = [];
        if (target.names.length === 0) {
          objects.push(...(await client.list(resolved.plural, { labelSelector: flags.selector, signal })).items);
          if (objects.length === 0) session.err("No resources found");
        }
        for (const name of target.names) {
          try {
            objects.push(await client.get(resolved.plural, name, { signal }));
          } catch (err) {
            if (failures.report(err)) break;
          }
        }
        const now = session.clock.now();
        session.out(objects.map((o) => describeObject({ ...o, kind: o.kind ?? resolved.kind, apiVersion: o.apiVersion ?? `${resolved.group}/${resolved.version}` }, now)).join("\n"));
        failures.finish();
      }),
    );
}
