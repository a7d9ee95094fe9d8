// `claw node mesh [-l SELECTOR] [-o json]`: the mesh at a glance — each node's mesh address, key, endpoint,
// how many peers it reaches and when it last shook hands. A node whose mesh is off shows "-".

import type { Command } from "commander";
import type { Node, NodeMesh } from "../../../api/types/node.js";
import { runAction } from "../cli-action.js";
import { renderRows } from "../printers/row-table.js";
import { ageSince, byName, meshOf, peersUp, shortKey, yesNo } from "./node-cells.js";
import { NODES, parseOutput, UNKNOWN, type NodeCommandContext } from "./node-context.js";

const COLUMNS = ["Name", "Mesh IP", "Public Key", "Endpoint", "Peers Up", "Last Handshake", "Connected"];

export function addNodeMeshCommand(node: Command, ctx: NodeCommandContext): void {
  const { session } = ctx;
  node
    .command("mesh")
    .description("the mesh at a glance: mesh IP, public key, endpoint, peers up, last handshake, connected")
    .option("-l, --selector <selector>", "label selector, e.g. gpu=a100")
    .option("-o, --output <format>", "json: each node's name, connected, meshCordoned and status.mesh")
    .addHelpText(
      "after",
      `
PEERS UP is the peers the node completed a WireGuard handshake with in the last three minutes, of all its
peers ("2/3"). A node whose mesh is off (provider none) shows "-"; what is wrong with a node's mesh, when the
agent says, follows the table on standard error.

Examples:
  claw node mesh
  claw node mesh -o json | jq '.[] | select(.mesh.peersUp < .mesh.peers)'
`,
    )
    .action(
      runAction(session, async (flags: { selector?: string; output?: string }) => {
        const output = parseOutput(flags.output, ["json"] as const);
        const list = await (await session.client()).list<Node>(NODES, { labelSelector: flags.selector, signal: session.deps.signal });
        const nodes = [...list.items].sort(byName);
        if (output === "json") return session.out(`${JSON.stringify(meshView(nodes), null, 2)}\n`);
        if (nodes.length === 0) return session.err("No resources found");
        session.out(renderMeshTable(nodes, session.clock.now()));
        for (const n of nodes) {
          const message = meshOf(n)?.message;
          if (message) session.err(`${n.metadata.name}: ${message}`);
        }
      }),
    );
}

export function renderMeshTable(nodes: readonly Node[], nowMs: number): string {
  const rows = nodes.map((n) => {
    const mesh = meshOf(n);
    const connected = yesNo(n.status?.connected);
    if (!mesh) return [n.metadata.name, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, connected];
    return [n.metadata.name, mesh.address || UNKNOWN, shortKey(mesh.publicKey), mesh.endpoint || UNKNOWN, peersUp(mesh), ageSince(mesh.latestHandshakeTime, nowMs, "never"), connected];
  });
  return renderRows(COLUMNS.map((name) => ({ name })), rows, nowMs);
}

/** What `-o json` prints: each node's status.mesh as it is (null before the agent reported one). */
export function meshView(nodes: readonly Node[]): { name: string; connected: boolean; meshCordoned: boolean; mesh: NodeMesh | null }[] {
  return nodes.map((n) => ({ name: n.metadata.name, connected: n.status?.connected === true, meshCordoned: n.spec?.meshCordoned === true, mesh: n.status?.mesh ?? null }));
}
