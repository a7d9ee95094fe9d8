// `claw pki init [--dir DIR] [--force]`: the root CA the server keeps, exported to DIR as the guide shows it.
// A DIR that already holds ca.crt is left alone (exit 7) unless --force asks for a new root CA.

import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { RestClient } from "../../../api/client/rest-client.js";
import { isAlreadyExists, isNotFound } from "../../../api/machinery/errors.js";
import { API_VERSION } from "../../../api/machinery/meta.js";
import { kind, type Certificate } from "../../../api/types/certificate.js";
import { ROOT_CA_NAME } from "../../../api/types/pki-api.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure } from "../cli-errors.js";
import { ExitCode } from "../exit-codes.js";
import { ensureDir, fileExists, PRIVATE_FILE, PUBLIC_DIR, PUBLIC_FILE, writeFileAtomic } from "../pki-files.js";
import type { IssueGoal } from "../pki-readiness.js";
import { awaitCertificate, pemText } from "./pki-issuance.js";
import { CERTIFICATES, DEFAULT_PKI_DIR, DEFAULT_TIMEOUT, FIELD_MANAGER, type PkiCommandContext } from "./pki-context.js";
import { parseTimeout } from "./pki-issue-spec.js";

interface InitFlags {
  dir: string;
  force?: boolean;
  timeout: string;
}

const ROOT_CA_COMMON_NAME = "Clawbernetes Root CA";

export function addPkiInitCommand(pki: Command, ctx: PkiCommandContext): void {
  pki
    .command("init")
    .description(`export the root CA (${ROOT_CA_NAME}, made on the server if missing) to DIR: ca.crt, ca.key and crl/`)
    .option("--dir <dir>", "where to write the files", DEFAULT_PKI_DIR)
    .option("--force", "make a new root CA: renew it with a new key and rewrite the files (every certificate it signed is reissued)")
    .option("--timeout <duration>", "how long to wait for the root CA to be issued", DEFAULT_TIMEOUT)
    .action(runAction(ctx.session, (flags: InitFlags) => initPki(ctx, flags)));
}

/** The guide's tree, for DIR. */
export const initializedTree = (dir: string): string =>
  `PKI initialized at ${dir.endsWith("/") ? dir : `${dir}/`}
├── ca.crt          (Root CA certificate)
├── ca.key          (Root CA private key - PROTECT THIS!)
└── crl/            (Certificate revocation lists)
`;

async function initPki(ctx: PkiCommandContext, flags: InitFlags): Promise<void> {
  const { session } = ctx;
  const timeoutMs = parseTimeout(flags.timeout);
  const dir = resolve(flags.dir);
  const files = { crt: join(dir, "ca.crt"), key: join(dir, "ca.key"), crlDir: join(dir, "crl") };
  if (!flags.force && (await fileExists(files.crt))) {
    session.err(
      `error: the PKI is already initialized at ${dir}/ (${files.crt} exists); nothing was changed.\n` +
        `'claw pki init --force' makes a new root CA: a new key, every certificate it signed is reissued, and every client must then trust the new ca.crt.`,
    );
    throw new ReportedFailure(ExitCode.Conflict);
  }
  const api = await ctx.api();
  const { ca, created } = await ensureRootCa(await session.client(), session.deps.signal);
  if (created) session.err(`note: the server had no root CA; certificate ${ROOT_CA_NAME} created`);
  const renewing = flags.force === true && !created;
  let goal: IssueGoal = { failedAttempts: ca.status?.failedIssuanceAttempts ?? 0, ...(ca.metadata.generation !== undefined ? { generation: ca.metadata.generation } : {}) };
  if (renewing) {
    const renewed = await api.renew(ROOT_CA_NAME);
    goal = { afterRevision: ca.status?.revision ?? 0, failedAttempts: renewed.status?.failedIssuanceAttempts ?? 0 };
  }
  await awaitCertificate(ctx, { name: ROOT_CA_NAME, goal, done: renewing ? "renewed" : "issued", timeoutMs });
  const pair = await api.keyPair(ROOT_CA_NAME);
  const crl = await api.crlPem(ROOT_CA_NAME).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
    session.warn(`the server has published no CRL for ${ROOT_CA_NAME} yet; 'claw pki crl --dir ${dir}' fetches it later`);
    return undefined;
  });

  await ensureDir(dir, PUBLIC_DIR);
  await ensureDir(files.crlDir, PUBLIC_DIR);
  // ca.crt last: a run that fails before it leaves no ca.crt, so running init again simply finishes the job.
  await writeFileAtomic(files.key, pemText(pair.privateKey), PRIVATE_FILE);
  if (crl !== undefined) await writeFileAtomic(join(files.crlDir, `${ROOT_CA_NAME}.crl`), crl, PUBLIC_FILE);
  await writeFileAtomic(files.crt, pemText(pair.certificate), PUBLIC_FILE);

  session.out(initializedTree(dir));
  session.warn(`${files.key} is the root CA's private key: whoever holds it can make certificates that every gateway and node trusts. Keep it readable by root alone (it is mode 0600), and offline if you can; the server signs with its own copy, so deleting this one breaks nothing.`);
  if (renewing) {
    const sameKey = ca.spec?.privateKey?.rotationPolicy === "Never";
    session.warn(
      `the root CA was renewed${sameKey ? " (same key: its rotationPolicy is Never)" : " with a new key"}: the server reissues every certificate it signed. ` +
        `Copy the new ${files.crt} to every gateway and node, and fetch their new certificates ('claw pki issue …' again).`,
    );
  }
}

async function ensureRootCa(client: RestClient, signal: AbortSignal | undefined): Promise<{ ca: Certificate; created: boolean }> {
  const get = () => client.get<Certificate>(CERTIFICATES, ROOT_CA_NAME, { ...(signal ? { signal } : {}) });
  try {
    return { ca: await get(), created: false };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const root: Certificate = { apiVersion: API_VERSION, kind, metadata: { name: ROOT_CA_NAME }, spec: { isCA: true, commonName: ROOT_CA_COMMON_NAME } };
  try {
    return { ca: await client.create<Certificate>(CERTIFICATES, root, { fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) }), created: true };
  } catch (err) {
    // The server made it meanwhile (its first start does).
    if (!isAlreadyExists(err)) throw err;
    return { ca: await get(), created: false };
  }
}
