// What every `claw security` command gets (security-command.ts builds it; each command group takes it).

import type { CliSession } from "../cli-session.js";
import type { SecurityApi } from "../security-api.js";

export interface SecurityCommandContext {
  session: CliSession;
  /** The guard's reputation endpoint, over the session's client. */
  api(): Promise<SecurityApi>;
}

/** The resource the block commands read and write. */
export const BLOCKRULES = "blockrules";
/** The field manager of every write, as `claw apply` and `claw secrets` use. */
export const FIELD_MANAGER = "claw";
