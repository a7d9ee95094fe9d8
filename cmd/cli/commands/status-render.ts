// `claw status`'s summary: a line or a small table per section, ages counted from the server's observedAt (so the
// client's clock does not matter), and "not permitted (needs …)" for a section the credential may not read.

import { isPermitted, type ClusterStatus, type ExpiringSection, type Section } from "../../../api/types/cluster-status-api.js";
import { ageOf } from "../printers/age.js";
import { renderRows } from "../printers/row-table.js";

const indent = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");

const denied = (section: { needs: string }) => `not permitted (needs ${section.needs})`;

export function renderClusterStatus(status: ClusterStatus): string {
  const nowMs = Date.parse(status.observedAt);
  const ago = (time: string | undefined) => (time ? `${ageOf(time, nowMs) ?? time} ago` : "never");
  const lines: string[] = [];

  const { servers, store, controllers } = status;
  if (isPermitted(servers)) {
    const healthy = servers.items.filter((s) => s.health === "healthy").length;
    lines.push(`Servers: ${healthy} healthy of ${servers.items.length} (stale after ${servers.staleAfterSeconds}s without a heartbeat)`);
    const rows = servers.items.map((s) => [s.self ? `${s.id} (this)` : s.id, s.version, s.url, s.startedAt, s.lastSeen, s.health.toUpperCase()]);
    if (rows.length > 0) lines.push(indent(renderRows([{ name: "ID" }, { name: "VERSION" }, { name: "URL" }, { name: "UP", type: "date" }, { name: "LAST SEEN", type: "date" }, { name: "HEALTH" }], rows, nowMs)));
  } else lines.push(`Servers: ${denied(servers)}`);

  if (isPermitted(store)) {
    const facts = store.healthy ? [`healthy`, `ping ${store.pingMs ?? "?"}ms`, ...(store.revision !== undefined ? [`revision ${store.revision}`] : [])] : [`UNHEALTHY: ${store.error ?? "no answer"}`];
    lines.push(`Store: ${store.backend}, ${facts.join(", ")}`);
  } else lines.push(`Store: ${denied(store)}`);

  if (isPermitted(controllers)) {
    // claw server's in-process manager holds the Lease under the server's own ID: name its URL too.
    const leaderServer = isPermitted(servers) ? servers.items.find((s) => s.id === controllers.leader) : undefined;
    const leader = controllers.leader
      ? `${controllers.leader}${leaderServer ? ` (server ${leaderServer.url}${leaderServer.self ? ", this one" : ""})` : ""}${controllers.current ? "" : " (EXPIRED)"}, renewed ${ago(controllers.renewTime)}${controllers.leaseTransitions !== undefined ? `, ${controllers.leaseTransitions} transitions` : ""}`
      : "none (no controller manager holds the Lease)";
    lines.push(`Controller leader: ${leader}`);
  } else lines.push(`Controller leader: ${denied(controllers)}`);

  const { resources } = status;
  lines.push("Resources by Ready condition:");
  if (resources.items.length > 0) {
    const rows = resources.items.map((k) => [k.kind, String(k.total), String(k.ready), String(k.notReady), String(k.unknown)]);
    lines.push(indent(renderRows([{ name: "KIND" }, { name: "TOTAL" }, { name: "TRUE" }, { name: "FALSE" }, { name: "UNKNOWN" }], rows, nowMs)));
  }
  if (resources.notPermitted.length > 0) lines.push(`  not permitted: ${resources.notPermitted.join(", ")} (needs <kind>:list)`);

  const { nodes, blockRules, audit } = status;
  lines.push(`Nodes: ${isPermitted(nodes) ? `${nodes.connected} connected of ${nodes.total}` : denied(nodes)}`);
  lines.push(expiring("Certificates", status.certificates, nowMs));
  lines.push(expiring("API keys", status.apiKeys, nowMs));
  lines.push(`BlockRules: ${isPermitted(blockRules) ? `${blockRules.active} active of ${blockRules.total}` : denied(blockRules)}`);
  if (isPermitted(audit)) {
    const head = audit.enabled ? `head seq ${audit.headSeq}` : `disabled ([audit] enabled = false), head seq ${audit.headSeq}`;
    const siem = audit.export ? `SIEM lag ${audit.export.lag} (acknowledged through seq ${audit.export.cursorSeq})` : "SIEM export off";
    lines.push(`Audit: ${head}; ${siem}`);
  } else lines.push(`Audit: ${denied(audit)}`);
  return `${lines.join("\n")}\n`;
}

function expiring(label: string, section: Section<ExpiringSection>, nowMs: number): string {
  if (!isPermitted(section)) return `${label} expiring: ${denied(section)}`;
  const head = `${label} expiring within ${section.withinDays}d: ${section.items.length === 0 ? "none" : section.items.length}`;
  if (section.items.length === 0) return head;
  const rows = section.items.map((i) => [i.name, i.expiresAt, i.daysLeft < 0 ? "EXPIRED" : `${i.daysLeft}d`]);
  return `${head}\n${indent(renderRows([{ name: "NAME" }, { name: "EXPIRES", type: "date" }, { name: "DAYS LEFT" }], rows, nowMs))}`;
}
