// `claw pki crl [--ca NAME] [--dir DIR]`: a CA's current CRL from the public path, written to DIR/crl/ and
// summarised: its dates and each revoked serial.

import { join, resolve } from "node:path";
import type { Command } from "commander";
import { toRfc3339 } from "../../../api/machinery/clock.js";
import { ROOT_CA_NAME } from "../../../api/types/pki-api.js";
import { runAction } from "../cli-action.js";
import { renderRows } from "../printers/row-table.js";
import { readCrl, type CrlSummary } from "../pki-crl.js";
import { ensureDir, PUBLIC_DIR, PUBLIC_FILE, writeFileAtomic } from "../pki-files.js";
import { DEFAULT_PKI_DIR, type PkiCommandContext } from "./pki-context.js";

export function addPkiCrlCommand(pki: Command, ctx: PkiCommandContext): void {
  const { session } = ctx;
  pki
    .command("crl")
    .description("fetch a CA's certificate revocation list (public, no credential needed) into DIR/crl/ and list what it revokes")
    .option("--ca <name>", "the CA Certificate whose CRL to fetch", ROOT_CA_NAME)
    .option("--dir <dir>", "the PKI folder; the CRL goes to DIR/crl/CA.crl", DEFAULT_PKI_DIR)
    .action(
      runAction(session, async (flags: { ca: string; dir: string }) => {
        const pem = await (await ctx.api()).crlPem(flags.ca);
        const summary = await readCrl(pem);
        const crlDir = join(resolve(flags.dir), "crl");
        const path = join(crlDir, `${flags.ca}.crl`);
        await ensureDir(crlDir, PUBLIC_DIR);
        await writeFileAtomic(path, pem, PUBLIC_FILE);
        session.out(`wrote ${path}\n${describeCrl(summary, session.clock.now())}`);
      }),
    );
}

export function describeCrl(crl: CrlSummary, nowMs: number): string {
  const head = [`Issuer:       ${crl.issuer}`, `This update:  ${toRfc3339(crl.thisUpdate.getTime())}`, `Next update:  ${crl.nextUpdate ? toRfc3339(crl.nextUpdate.getTime()) : "<none>"}`, `Revoked:      ${crl.revoked.length}`];
  if (crl.revoked.length === 0) return `${head.join("\n")}\n`;
  const rows = [...crl.revoked].sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime()).map((e) => [e.serialNumber, toRfc3339(e.revokedAt.getTime()), e.reason]);
  return `${head.join("\n")}\n\n${renderRows([{ name: "Serial" }, { name: "Revoked At" }, { name: "Reason" }], rows, nowMs)}`;
}
