// What `init`, `issue` and `renew` share: waiting for the controllers with a progress line, and writing
// the key pair the server hands out.

import { join } from "node:path";
import type { Certificate } from "../../../api/types/certificate.js";
import type { CertificateKeyPair } from "../../../api/types/pki-api.js";
import { ensureDir, PRIVATE_FILE, PUBLIC_DIR, PUBLIC_FILE, readTextIfExists, writeFileAtomic } from "../pki-files.js";
import type { IssueGoal } from "../pki-readiness.js";
import { restCertificateSource, waitForCertificate } from "../pki-wait.js";
import type { PkiCommandContext } from "./pki-context.js";

export interface AwaitRequest {
  name: string;
  goal: IssueGoal;
  /** "issued" or "renewed". */
  done: string;
  timeoutMs: number;
}

/** Waits as waitForCertificate does, saying on stderr that it waits (only when it has to). */
export async function awaitCertificate(ctx: PkiCommandContext, req: AwaitRequest): Promise<Certificate> {
  const { session } = ctx;
  const source = restCertificateSource(await session.client());
  return waitForCertificate(source, {
    ...req,
    clock: session.clock,
    ...(session.deps.signal ? { signal: session.deps.signal } : {}),
    onPending: () => session.err(`Waiting for certificate ${req.name} to be ${req.done}...`),
  });
}

/** The one-line summary of an issued certificate. */
export const issuedText = (cert: Certificate): string => `serial ${cert.status?.serialNumber ?? "<none>"}, expires ${cert.status?.notAfter ?? "<none>"}`;

/** PEM blocks joined, each ending in one line break. */
export const pemText = (...blocks: string[]): string =>
  blocks
    .map((b) => b.trim())
    .filter((b) => b !== "")
    .map((b) => `${b}\n`)
    .join("");

/**
 * DIR/BASE.crt (the certificate, then its chain up to the root) and DIR/BASE.key (0600); DIR/ca.crt too when
 * there is none, and a warning when the one there is not the root that signed this certificate.
 */
export async function writeLeafFiles(ctx: PkiCommandContext, dir: string, base: string, pair: CertificateKeyPair): Promise<void> {
  const { session } = ctx;
  await ensureDir(dir, PUBLIC_DIR);
  const files = { crt: join(dir, `${base}.crt`), key: join(dir, `${base}.key`), ca: join(dir, "ca.crt") };
  await writeFileAtomic(files.key, pemText(pair.privateKey), PRIVATE_FILE);
  await writeFileAtomic(files.crt, pemText(pair.certificate, pair.chain), PUBLIC_FILE);
  session.out(`wrote ${files.crt}   (certificate and chain)\nwrote ${files.key}   (private key, mode 0600)\n`);
  const ca = await readTextIfExists(files.ca);
  if (ca === undefined) {
    await writeFileAtomic(files.ca, pemText(pair.ca), PUBLIC_FILE);
    session.out(`wrote ${files.ca}   (root CA certificate)\n`);
  } else if (ca.trim() !== pair.ca.trim()) {
    session.warn(`${files.ca} is not the root CA that signed this certificate (was the root CA renewed?); peers that trust it will refuse ${files.crt}. Export the current one: remove ${files.ca} and run 'claw pki init --dir ${dir}'`);
  }
}
