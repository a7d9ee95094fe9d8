// `claw pki revoke NAME [--reason R]` and `claw pki renew NAME`: the two imperative verbs on one certificate.

import type { Command } from "commander";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import { awaitCertificate, issuedText } from "./pki-issuance.js";
import { CERTIFICATES, DEFAULT_TIMEOUT, isRevocationReason, REVOCATION_REASONS, type PkiCommandContext } from "./pki-context.js";
import { parseTimeout } from "./pki-issue-spec.js";
import type { Certificate } from "../../../api/types/certificate.js";

export function addPkiRevokeCommands(pki: Command, ctx: PkiCommandContext): void {
  const { session } = ctx;
  pki
    .command("revoke")
    .description("revoke a certificate: on its issuer's CRL at once, refused in mTLS from then on (cannot be undone)")
    .argument("<name>", "the Certificate's name, such as gateway or node-gpu-node-1")
    .option("--reason <reason>", `why, as an RFC 5280 reason: ${REVOCATION_REASONS.join(", ")}`, "unspecified")
    .action(
      runAction(session, async (name: string, flags: { reason: string }) => {
        if (!isRevocationReason(flags.reason)) throw new UsageError(`--reason: "${flags.reason}" is not a revocation reason; use one of ${REVOCATION_REASONS.join(", ")}`);
        const revoked = await (await ctx.api()).revoke(name, flags.reason);
        session.out(`certificate ${name} revoked (serial ${revoked.status?.serialNumber ?? "<none>"}, reason ${revoked.spec?.revocationReason ?? flags.reason})\n`);
      }),
    );

  pki
    .command("renew")
    .description("issue a certificate again now (a new key unless its rotationPolicy is Never), and wait until it is")
    .argument("<name>", "the Certificate's name")
    .option("--timeout <duration>", "how long to wait for the renewal", DEFAULT_TIMEOUT)
    .action(
      runAction(session, async (name: string, flags: { timeout: string }) => {
        const timeoutMs = parseTimeout(flags.timeout);
        const before = await (await session.client()).get<Certificate>(CERTIFICATES, name, { ...(session.deps.signal ? { signal: session.deps.signal } : {}) });
        const asked = await (await ctx.api()).renew(name);
        const goal = { afterRevision: before.status?.revision ?? 0, failedAttempts: asked.status?.failedIssuanceAttempts ?? 0 };
        const renewed = await awaitCertificate(ctx, { name, goal, done: "renewed", timeoutMs });
        session.out(`certificate ${name} renewed: revision ${renewed.status?.revision ?? "<none>"}, ${issuedText(renewed)}\n`);
        session.err(`note: files written by 'claw pki issue' hold the old certificate until you run it again`);
      }),
    );
}
