// `claw status [-o json|yaml]`: the deployment at a glance from the server's ClusterStatus — the replicas sharing
// the store and their health, the store's backend and ping, the controller leader, Ready counts per kind, nodes
// connected, certificates and API keys near expiry, active BlockRules, the audit head and SIEM lag. A section
// the credential may not read says which permission it needs. Exit 3 when the server cannot be reached.

import type { Command } from "commander";
import YAML from "yaml";
import { clusterStatusPath, type ClusterStatus, type Section } from "../../../api/types/cluster-status-api.js";
import { malformed, shape, str } from "../answer-shape.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { renderClusterStatus } from "./status-render.js";

const OUTPUTS = ["table", "json", "yaml"] as const;
type Output = (typeof OUTPUTS)[number];
const isOutput = (text: string): text is Output => (OUTPUTS as readonly string[]).includes(text);

const SECTIONS = ["servers", "store", "controllers", "nodes", "certificates", "apiKeys", "blockRules", "audit"] as const;

export function addStatusCommand(program: Command, session: CliSession): void {
  program
    .command("status")
    .description("the cluster at a glance: servers, store, controller leader, readiness per kind, nodes, expiring credentials, BlockRules, audit; sections your credential may not read say which permission they need")
    .option("-o, --output <format>", "table (default), json or yaml")
    .action(
      runAction(session, async (flags: { output?: string }) => {
        const output = flags.output ?? "table";
        if (!isOutput(output)) throw new UsageError(`unknown output format "${output}"; use table, json or yaml`);
        const raw = await (await session.client()).requestJson<unknown>({ method: "GET", path: clusterStatusPath, signal: session.deps.signal });
        const status = clusterStatus(raw, clusterStatusPath);
        if (output === "json") session.out(`${JSON.stringify(status, null, 2)}\n`);
        else if (output === "yaml") session.out(YAML.stringify(status));
        else session.out(renderClusterStatus(status));
      }),
    );
}

/** A ClusterStatus from an answer: its kind, time and every section's shape checked, so rendering cannot crash. */
export function clusterStatus(raw: unknown, path: string): ClusterStatus {
  const body = shape(raw, path);
  if (body.kind !== "ClusterStatus") throw malformed(path, "kind");
  str(body, "observedAt", path);
  for (const name of SECTIONS) {
    const section = shape(body[name], path) as Partial<Section<object>>;
    if (typeof section.permitted !== "boolean") throw malformed(path, `${name}.permitted`);
  }
  const resources = shape(body.resources, path);
  if (!Array.isArray(resources.items) || !Array.isArray(resources.notPermitted)) throw malformed(path, "resources");
  for (const name of ["servers", "certificates", "apiKeys"] as const) {
    const section = body[name] as { permitted: boolean; items?: unknown };
    if (section.permitted && !Array.isArray(section.items)) throw malformed(path, `${name}.items`);
  }
  return body as unknown as ClusterStatus;
}
