// `claw pki issue gateway | node`: a Certificate signed by the root CA, applied (so running it again
// updates it), waited for, and written to DIR with its private key.

import { resolve } from "node:path";
import type { Command } from "commander";
import { isNotFound } from "../../../api/machinery/errors.js";
import type { Certificate } from "../../../api/types/certificate.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure } from "../cli-errors.js";
import { ExitCode } from "../exit-codes.js";
import { awaitCertificate, issuedText, writeLeafFiles } from "./pki-issuance.js";
import { CERTIFICATES, DEFAULT_PKI_DIR, DEFAULT_TIMEOUT, FIELD_MANAGER, type PkiCommandContext } from "./pki-context.js";
import { gatewayPlan, nodePlan, parseTimeout, type IssueFlags, type IssuePlan } from "./pki-issue-spec.js";

interface IssueCommandFlags extends IssueFlags {
  dir: string;
  timeout: string;
}

export function addPkiIssueCommands(pki: Command, ctx: PkiCommandContext): void {
  const issue = pki.command("issue").description("issue a certificate signed by the root CA and write it, with its key, to --dir");
  const common = (cmd: Command) =>
    cmd
      .option("--dns <names...>", "DNS names it is valid for (repeat the flag or separate by commas); a leading *. makes a wildcard")
      .option("--ip <addresses...>", "IP addresses it is valid for (repeat the flag or separate by commas)")
      .option("--duration <duration>", "how long it lives, such as 2160h or 90d (the server's default: 2160h)")
      .option("--dir <dir>", "where to write the files", DEFAULT_PKI_DIR)
      .option("--timeout <duration>", "how long to wait for the controllers to issue it", DEFAULT_TIMEOUT);

  common(
    issue
      .command("gateway")
      .description("a server certificate for the gateway (server auth): DIR/gateway.crt and DIR/gateway.key")
      .option("--name <name>", "the Certificate's name, and the files' (default gateway)"),
  ).action(runAction(ctx.session, (flags: IssueCommandFlags) => issueCertificate(ctx, gatewayPlan(flags), flags)));

  common(
    issue
      .command("node")
      .description("a node identity (client and server auth, organization system:nodes): Certificate node-NAME, DIR/node.crt and DIR/node.key")
      .option("--name <node>", "the node's name, its identity in mTLS, such as gpu-node-1 (required)"),
  ).action(runAction(ctx.session, (flags: IssueCommandFlags) => issueCertificate(ctx, nodePlan(flags), flags)));
}

async function issueCertificate(ctx: PkiCommandContext, plan: IssuePlan, flags: IssueCommandFlags): Promise<void> {
  const { session } = ctx;
  const timeoutMs = parseTimeout(flags.timeout);
  const name = plan.certificate.metadata.name;
  const client = await session.client();
  await refuseRevoked(ctx, name);
  const applied = await client.apply<Certificate>(CERTIFICATES, plan.certificate, { fieldManager: FIELD_MANAGER, signal: session.deps.signal });
  const goal = { failedAttempts: applied.status?.failedIssuanceAttempts ?? 0, ...(applied.metadata.generation !== undefined ? { generation: applied.metadata.generation } : {}) };
  const ready = await awaitCertificate(ctx, { name, goal, done: "issued", timeoutMs });
  const pair = await (await ctx.api()).keyPair(name);
  const unchanged = applied.status?.revision !== undefined && applied.status.revision === ready.status?.revision;
  session.out(`certificate ${name} ${unchanged ? "unchanged" : "issued"} (${issuedText(ready)})\n`);
  await writeLeafFiles(ctx, resolve(flags.dir), plan.fileBase, pair);
}

/**
 * A revoked certificate stays revoked: say so before writing, rather than let the apply (which does not
 * carry spec.revoked) be refused as an attempt to undo the revocation.
 */
async function refuseRevoked(ctx: PkiCommandContext, name: string): Promise<void> {
  const { session } = ctx;
  const live = await (await session.client()).get<Certificate>(CERTIFICATES, name, { ...(session.deps.signal ? { signal: session.deps.signal } : {}) }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!live?.spec?.revoked) return;
  session.err(`error: certificate ${name} is revoked (${live.spec.revocationReason ?? "unspecified"}), which cannot be undone; delete it ('claw delete certificate ${name}') and issue it again`);
  throw new ReportedFailure(ExitCode.Conflict);
}
