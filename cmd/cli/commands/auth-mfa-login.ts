// The MFA step of `claw auth login`: send --code with the password when given; otherwise, when the server
// answers that the user has MFA on, ask for the code (terminal or stdin) and log in again with it.

import type { LoginRequest, SessionToken } from "../../../api/types/auth-api.js";
import type { AuthApi } from "../auth-api.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { isMfaRequired, readCode } from "../mfa-code-input.js";

export async function loginWithCode(opts: { api: AuthApi; request: LoginRequest; code: string | undefined; session: CliSession; stdinUsed: boolean }): Promise<SessionToken> {
  const { api, request, session } = opts;
  if (opts.code !== undefined) return api.login({ ...request, code: opts.code.trim() });
  try {
    return await api.login(request);
  } catch (err) {
    if (!isMfaRequired(err)) throw err;
  }
  const command = `claw auth login --username ${request.username} --code CODE`;
  const code = await readCode({ flag: undefined, stdin: session.deps.stdin, prompt: session.deps.stderr, question: "MFA code (or a recovery code): ", command, stdinUsed: opts.stdinUsed });
  if (code === undefined) throw new UsageError(`user "${request.username}" has MFA on: give the authenticator app's code (or a recovery code): ${command}`);
  return api.login({ ...request, code });
}
