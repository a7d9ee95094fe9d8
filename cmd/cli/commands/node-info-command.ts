// `claw node info NAME [-o json|yaml]`: everything about one node as a person reads it — what operators
// decided (spec), its connection and why it ended, addresses, certificate, mesh and conditions.

import type { Command } from "commander";
import type { Condition } from "../../../api/machinery/meta.js";
import type { Node, NodeAddresse } from "../../../api/types/node.js";
import { runAction } from "../cli-action.js";
import { ageOf, humanDuration } from "../printers/age.js";
import { printObjects } from "../printers/object-printer.js";
import { renderRows } from "../printers/row-table.js";
import { cordonState, meshOf, peersUp, yesNo } from "./node-cells.js";
import { getNode, NODE_KIND, parseOutput, type NodeCommandContext } from "./node-context.js";

const LABEL_WIDTH = 22;
const OUTPUTS = ["json", "yaml"] as const;

export function addNodeInfoCommand(node: Command, ctx: NodeCommandContext): void {
  const { session } = ctx;
  node
    .command("info")
    .description("show one node in full: spec, connection (and why it ended), addresses, certificate, mesh, conditions")
    .argument("<name>", "the node's name, as 'claw node list' shows it")
    .option("-o, --output <format>", `the object instead: ${OUTPUTS.join("|")}`)
    .addHelpText(
      "after",
      `
Examples:
  claw node info gpu-node-1
  claw node info gpu-node-1 -o yaml
`,
    )
    .action(
      runAction(session, async (name: string, flags: { output?: string }) => {
        const output = parseOutput(flags.output, OUTPUTS);
        const found = await getNode(session, name);
        if (output) return session.out(printObjects([found], { format: output, kind: NODE_KIND, asList: false }));
        session.out(describeNode(found, session.clock.now()));
      }),
    );
}

export function describeNode(node: Node, nowMs: number): string {
  const status = node.status ?? {};
  const lines: string[] = [];
  const field = (label: string, value: string | undefined, indent = 0) => {
    if (value !== undefined && value !== "") lines.push(`${" ".repeat(indent)}${`${label}:`.padEnd(LABEL_WIDTH - indent)}${value}`);
  };
  const section = (title: string, fill: () => void) => {
    const start = lines.push(`${title}:`);
    fill();
    if (lines.length === start) lines[start - 1] = `${title}:`.padEnd(LABEL_WIDTH) + "<none>";
  };
  const when = (ts: string | undefined) => (ts ? `${ts}${relative(ts, nowMs)}` : undefined);

  field("Name", node.metadata.name);
  const labels = Object.entries(node.metadata.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  field("Labels", labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(", ") : "<none>");
  field("Created", when(node.metadata.creationTimestamp));
  field("Deleting Since", when(node.metadata.deletionTimestamp));
  field("Cordoned", cordonText(node));

  section("Connection", () => {
    field("Connected", status.connected || status.connectedAt ? yesNo(status.connected) : "no, never", 2);
    field("Gateway", status.gateway, 2);
    field(status.connected ? "Connected Since" : "Last Connected", when(status.connectedAt), 2);
    if (!status.connected) {
      field("Disconnected", when(status.disconnectedAt), 2);
      field("Disconnect Reason", status.disconnectReason, 2);
    }
    field("Last Heartbeat", when(status.lastHeartbeatTime) ?? "never", 2);
    field("Agent Version", status.agentVersion, 2);
  });
  section("Addresses", () => {
    for (const [type, addresses] of groupAddresses(status.addresses ?? [])) field(type, addresses.join(", "), 2);
  });
  section("Certificate", () => {
    const cert = status.certificate;
    field("Name", cert?.name, 2);
    field("Serial Number", cert?.serialNumber, 2);
    field("Expires", cert?.notAfter ? `${cert.notAfter}${expiry(cert.notAfter, nowMs)}` : undefined, 2);
  });
  section("Mesh", () => {
    const mesh = status.mesh;
    field("Provider", mesh?.provider, 2);
    const on = meshOf(node);
    if (on) {
      field("Address", on.address, 2);
      field("Public Key", on.publicKey, 2);
      field("Endpoint", on.endpoint, 2);
      field("Allowed IPs", on.allowedIPs?.join(", "), 2);
      field("Peers Up", on.peers === undefined ? undefined : peersUp(on), 2);
      field("Latest Handshake", when(on.latestHandshakeTime) ?? (on.provider === "wireguard" ? "never" : undefined), 2);
    }
    field("Message", mesh?.message, 2);
  });
  lines.push(...conditionLines(status.conditions ?? [], nowMs));
  return `${lines.join("\n")}\n`;
}

function cordonText(node: Node): string {
  switch (cordonState(node)) {
    case "yes, mesh":
      return "yes, and out of the mesh (no new workloads; no other node peers with it)";
    case "mesh":
      return "out of the mesh only (no other node peers with it; it still takes workloads)";
    case "yes":
      return "yes (no new workloads; still in the mesh)";
    default:
      return "no";
  }
}

/** Addresses by type, in the order their types first appear. */
function groupAddresses(addresses: readonly NodeAddresse[]): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const a of addresses) byType.set(a.type, [...(byType.get(a.type) ?? []), a.address]);
  return byType;
}

/** " (12s ago)", or " (in 89d)" for a time ahead. */
function relative(ts: string, nowMs: number): string {
  const at = Date.parse(ts);
  if (Number.isNaN(at)) return "";
  return at > nowMs ? ` (in ${humanDuration(at - nowMs)})` : ` (${humanDuration(nowMs - at)} ago)`;
}

/** " (in 89d)", or " (expired 2d ago)". */
function expiry(notAfter: string, nowMs: number): string {
  const at = Date.parse(notAfter);
  if (Number.isNaN(at)) return "";
  return at > nowMs ? ` (in ${humanDuration(at - nowMs)})` : ` (expired ${humanDuration(nowMs - at)} ago)`;
}

function conditionLines(conditions: readonly Condition[], nowMs: number): string[] {
  if (conditions.length === 0) return ["Conditions:".padEnd(LABEL_WIDTH) + "<none>"];
  const rows = conditions.map((c) => [c.type, c.status, c.reason, c.message?.replace(/\s*\n\s*/g, " "), lastTransition(c.lastTransitionTime, nowMs)]);
  const table = renderRows(["Type", "Status", "Reason", "Message", "Last Transition"].map((name) => ({ name })), rows, nowMs);
  return ["Conditions:", ...table.trimEnd().split("\n").map((l) => `  ${l}`)];
}

function lastTransition(ts: string | undefined, nowMs: number): string | undefined {
  if (!ts) return undefined;
  const age = ageOf(ts, nowMs);
  return age ? `${age} ago` : ts;
}
