// `claw node remove NAME [--keep-certificate]`: take a node out for good — revoke its certificate (so its
// agent cannot open a session again) and delete the Node.

import type { Command } from "commander";
import { isNotFound } from "../../../api/machinery/errors.js";
import type { Certificate, CertificateRevocationReason } from "../../../api/types/certificate.js";
import { nodeCertificateName } from "../../../api/types/nodes-api.js";
import { runAction } from "../cli-action.js";
import { getNode, NODES, nodeNotFound, type NodeCommandContext } from "./node-context.js";
import { CERTIFICATES } from "./pki-context.js";

/** The CRD's reason for a node that is gone for good. */
const REASON: CertificateRevocationReason = "cessationOfOperation";

export function addNodeRemoveCommand(node: Command, ctx: NodeCommandContext): void {
  const { session } = ctx;
  node
    .command("remove")
    .description(`revoke a node's certificate (reason ${REASON}) and delete the node`)
    .argument("<name>", "the node's name, as 'claw node list' shows it")
    .option("--keep-certificate", "delete the node but leave its certificate valid")
    .addHelpText(
      "after",
      `
The node's identity is its Certificate node-NAME. remove revokes it first: from then on no server accepts it
in mTLS and the node's session ends (CertificateRevoked). Then the Node is deleted.

With --keep-certificate the certificate stays valid, and a removed node whose certificate is not revoked can
come back by opening a session with it, which registers the Node again. Revoke it later with
'claw pki revoke node-NAME --reason ${REASON}'.

Examples:
  claw node remove gpu-node-1
  claw node remove gpu-node-1 --keep-certificate
`,
    )
    .action(
      runAction(session, async (name: string, flags: { keepCertificate?: boolean }) => {
        // Checked first, so a misspelt name revokes nothing.
        await getNode(session, name);
        const certName = nodeCertificateName(name);
        if (flags.keepCertificate) {
          session.out(`certificate ${certName} kept (not revoked)\n`);
          session.err(`Warning: node "${name}" can come back: its agent may open a session with certificate ${certName} until it expires or is revoked ('claw pki revoke ${certName} --reason ${REASON}')`);
        } else {
          session.out(`${await revokeCertificate(ctx, certName)}\n`);
        }
        try {
          await (await session.client()).delete(NODES, name, { signal: session.deps.signal });
        } catch (err) {
          throw isNotFound(err) ? nodeNotFound(session, name) : err;
        }
        session.out(`node "${name}" deleted\n`);
      }),
    );
}

/** Revokes the certificate unless it is missing or revoked already; says which. */
async function revokeCertificate(ctx: NodeCommandContext, certName: string): Promise<string> {
  const { session } = ctx;
  let live: Certificate;
  try {
    live = await (await session.client()).get<Certificate>(CERTIFICATES, certName, { signal: session.deps.signal });
  } catch (err) {
    if (isNotFound(err)) return `certificate ${certName} not found: nothing to revoke`;
    throw err;
  }
  if (live.spec?.revoked) return `certificate ${certName} was already revoked (reason ${live.spec.revocationReason ?? "unspecified"})`;
  const revoked = await (await ctx.pki()).revoke(certName, REASON);
  return `certificate ${certName} revoked (serial ${revoked.status?.serialNumber ?? "<none>"}, reason ${revoked.spec?.revocationReason ?? REASON})`;
}
