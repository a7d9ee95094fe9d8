// What every `claw pki` command gets (pki-command.ts builds it; each command file takes it), and the
// names they share.

import type { CertificateRevocationReason } from "../../../api/types/certificate.js";
import type { CliSession } from "../cli-session.js";
import type { PkiApi } from "../pki-api.js";

export interface PkiCommandContext {
  session: CliSession;
  /** The imperative endpoints (renew, revoke, private key, CRL), over the session's client. */
  api(): Promise<PkiApi>;
}

/** The resource the commands read and write. */
export const CERTIFICATES = "certificates";
/** The field manager of every write, as `claw apply` and `claw secrets` use. */
export const FIELD_MANAGER = "claw";
/** Where the guide's gateway.toml and clawnode.toml look for the files. */
export const DEFAULT_PKI_DIR = "/etc/clawbernetes/pki";
/** How long `issue`, `init` and `renew` wait for the controllers by default. */
export const DEFAULT_TIMEOUT = "60s";

/** The CRD's revocationReason enum; the Record makes the compiler notice a reason added or removed. */
const REASONS: Record<CertificateRevocationReason, true> = {
  unspecified: true,
  keyCompromise: true,
  cACompromise: true,
  affiliationChanged: true,
  superseded: true,
  cessationOfOperation: true,
  privilegeWithdrawn: true,
};
export const REVOCATION_REASONS = Object.keys(REASONS) as CertificateRevocationReason[];

export const isRevocationReason = (text: string): text is CertificateRevocationReason => Object.hasOwn(REASONS, text);
