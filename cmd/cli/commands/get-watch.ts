// `get -w`: rows (or objects) printed as the server reports changes, until the signal aborts or the
// server ends the watch.

import { isTable, type Table, type TableRow } from "../../../api/client/api-types.js";
import type { RestClient } from "../../../api/client/rest-client.js";
import { isNotFound } from "../../../api/machinery/errors.js";
import type { KubeObject } from "../../../api/machinery/meta.js";
import type { CliSession } from "../cli-session.js";
import type { ResolvedKind } from "../kind-resolver.js";
import type { ObjectOutput } from "../printers/output-format.js";
import { asTable, rowName, withEventColumn, type TablePrinter } from "../printers/table-printer.js";

interface WatchRun {
  session: CliSession;
  client: RestClient;
  kind: ResolvedKind;
  names: string[];
  selector: string | undefined;
  resourceVersion: string | undefined;
}

export async function watchTable(run: WatchRun & { printer: TablePrinter; seed: Table | undefined; events: boolean }): Promise<void> {
  const { session, client, kind, printer, names } = run;
  const signal = session.deps.signal;
  const lastRows = new Map<string, TableRow>((run.seed?.rows ?? []).map((r) => [rowName(r), r]));
  let columns = run.seed?.columnDefinitions;
  const events = client.watch<Table | KubeObject>(kind.plural, { resourceVersion: run.resourceVersion, labelSelector: run.selector, asTable: true, signal });
  for await (const event of events) {
    if (event.type === "BOOKMARK") continue;
    let table: Table | undefined;
    if (isTable(event.object)) {
      table = event.object;
    } else {
      // A server that sends plain objects in a Table watch: fetch the row, or reuse the last one seen.
      const obj = event.object;
      const last = lastRows.get(obj.metadata.name);
      if (event.type === "DELETED") {
        table = { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: {}, columnDefinitions: columns ?? [], rows: [last ?? { cells: [obj.metadata.name], object: obj }] };
      } else {
        table = await client.table(kind.plural, { name: obj.metadata.name, signal }).then(asTable, (err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
      }
    }
    if (!table) continue;
    columns ??= table.columnDefinitions;
    const rows = table.rows.filter((r) => names.length === 0 || names.includes(rowName(r)));
    for (const row of rows) lastRows.set(rowName(row), row);
    if (rows.length === 0) continue;
    const shown: Table = { ...table, columnDefinitions: table.columnDefinitions.length ? table.columnDefinitions : (columns ?? []), rows };
    session.out(printer.renderRows(run.events ? withEventColumn(shown, event.type) : shown).map((l) => `${l}\n`).join(""));
  }
}

export async function watchObjects(run: WatchRun & { output: ObjectOutput }): Promise<void> {
  const { session, client, kind, names } = run;
  const events = client.watch(kind.plural, { resourceVersion: run.resourceVersion, labelSelector: run.selector, signal: session.deps.signal });
  for await (const event of events) {
    if (event.type === "BOOKMARK") continue;
    if (names.length > 0 && !names.includes(event.object.metadata.name)) continue;
    session.out(run.output.event(event.type, event.object));
  }
}
