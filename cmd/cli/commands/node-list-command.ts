// `claw node list [-l SELECTOR] [-o wide|json|yaml]`: every node with what an operator checks first — is it
// connected, where is it in the mesh, when does its certificate expire.

import type { Command } from "commander";
import type { Node } from "../../../api/types/node.js";
import { runAction } from "../cli-action.js";
import { printObjects } from "../printers/object-printer.js";
import { renderRows } from "../printers/row-table.js";
import { ageSince, byName, certExpiresIn, cordonState, meshAddress, yesNo } from "./node-cells.js";
import { NODE_KIND, NODES, parseOutput, UNKNOWN, type NodeCommandContext } from "./node-context.js";

const OUTPUTS = ["wide", "json", "yaml"] as const;
const COLUMNS = ["Name", "Connected", "Mesh IP", "Cert Expires In"];
const WIDE_COLUMNS = ["Agent", "Last Heartbeat", "Cordoned"];

export function addNodeListCommand(node: Command, ctx: NodeCommandContext): void {
  const { session } = ctx;
  node
    .command("list")
    .description("list nodes: connected, mesh IP, when the certificate expires (wide: agent, last heartbeat, cordoned)")
    .option("-l, --selector <selector>", "label selector, e.g. gpu=a100,zone!=eu-1")
    .option("-o, --output <format>", `output format: ${OUTPUTS.join("|")}`)
    .addHelpText(
      "after",
      `
CERT EXPIRES IN is what is left of the node's certificate (89d, 5h), "expired" once past, "-" before the
node has opened a session. CORDONED is yes (no new workloads), mesh (out of the other nodes' peer lists),
both ("yes, mesh") or no.

Examples:
  claw node list
  claw node list -o wide
  claw node list -l gpu=a100 -o yaml
`,
    )
    .action(
      runAction(session, async (flags: { selector?: string; output?: string }) => {
        const output = parseOutput(flags.output, OUTPUTS);
        const list = await (await session.client()).list<Node>(NODES, { labelSelector: flags.selector, signal: session.deps.signal });
        const nodes = [...list.items].sort(byName);
        if (output === "json" || output === "yaml") return session.out(printObjects(nodes, { format: output, kind: NODE_KIND, asList: true }));
        if (nodes.length === 0) return session.err("No resources found");
        session.out(renderNodeTable(nodes, { nowMs: session.clock.now(), wide: output === "wide" }));
      }),
    );
}

/** The table, in the order given: NAME, CONNECTED, MESH IP, CERT EXPIRES IN (and the wide columns). */
export function renderNodeTable(nodes: readonly Node[], opts: { nowMs: number; wide: boolean }): string {
  const rows = nodes.map((n) => [
    n.metadata.name,
    yesNo(n.status?.connected),
    meshAddress(n),
    certExpiresIn(n, opts.nowMs),
    ...(opts.wide ? [n.status?.agentVersion || UNKNOWN, ageSince(n.status?.lastHeartbeatTime, opts.nowMs, "never"), cordonState(n)] : []),
  ]);
  const columns = opts.wide ? [...COLUMNS, ...WIDE_COLUMNS] : COLUMNS;
  return renderRows(columns.map((name) => ({ name })), rows, opts.nowMs);
}
