// What every `claw auth` command gets (auth-command.ts builds it; each command group takes it).

import type { AuthApi } from "../auth-api.js";
import type { CliSession } from "../cli-session.js";
import type { ClientConfigInputs } from "../config/client-config.js";

/** What every `claw auth` command gets: the session and the inputs that locate the config file. */
export interface AuthCommandContext {
  session: CliSession;
  /** The global flags, the environment and the home folder, for configWritePath and resolveClientConfig. */
  configInputs(): ClientConfigInputs;
  /** The imperative endpoints, over the session's authenticated client. */
  api(): Promise<AuthApi>;
}
