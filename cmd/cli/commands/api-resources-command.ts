// `claw api-resources`: the kinds the server serves and the names they go by.

import type { Command } from "commander";
import { runAction } from "../cli-action.js";
import type { CliSession } from "../cli-session.js";
import { TablePrinter } from "../printers/table-printer.js";

export function addApiResourcesCommand(program: Command, session: CliSession): void {
  program
    .command("api-resources")
    .description("list the kinds the server serves, with their short names")
    .action(
      runAction(session, async () => {
        const kinds = await session.kinds().all();
        const printer = new TablePrinter({ wide: true, nowMs: session.clock.now() });
        const lines = printer.render({
          kind: "Table",
          apiVersion: "meta.k8s.io/v1",
          metadata: {},
          columnDefinitions: ["Name", "ShortNames", "APIVersion", "Namespaced", "Kind"].map((name) => ({ name, type: "string" })),
          rows: kinds.map((k) => ({ cells: [k.plural, k.shortNames.join(","), `${k.group}/${k.version}`, "false", k.kind] })),
        });
        session.out(lines.map((l) => `${l}\n`).join(""));
      }),
    );
}
