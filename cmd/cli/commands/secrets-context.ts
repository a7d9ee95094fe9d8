// What every `claw secrets` command gets (secrets-command.ts builds it; each command group takes it).

import type { CliSession } from "../cli-session.js";
import type { SecretsApi } from "../secrets-api.js";

export interface SecretsCommandContext {
  session: CliSession;
  /** The imperative endpoints (release, reveal, rotate, history, rekey, access review), over the session's client. */
  api(): Promise<SecretsApi>;
}

/** The resources the commands read and write. */
export const SECRETS = "secrets";
export const SECRET_POLICIES = "secretpolicies";
/** The field manager of every write, as `claw apply` and `claw auth` use. */
export const FIELD_MANAGER = "claw";
