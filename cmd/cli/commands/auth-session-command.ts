// `claw auth login | refresh | logout`: session tokens (JWTs) kept in the client config, printed only when asked.

import type { Command } from "commander";
import type { SessionToken } from "../../../api/types/auth-api.js";
import { RestClient } from "../../../api/client/rest-client.js";
import { isUnauthorized } from "../../../api/machinery/errors.js";
import { AuthApi } from "../auth-api.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import { resolveClientConfig, type ResolvedClientConfig } from "../config/client-config.js";
import { renderError } from "../error-render.js";
import { ExitCode } from "../exit-codes.js";
import { readPassword } from "../password-input.js";
import { loginWithCode } from "./auth-mfa-login.js";
import { forgetSession, replaceStoredToken, resolveLoginTarget, storeSessionToken, tokenIsFromConfigFile, type ForgottenSession } from "../session-token-store.js";
import type { AuthCommandContext } from "./auth-context.js";

interface LoginFlags {
  username: string;
  passwordStdin?: boolean;
  expiryHours?: number;
  printToken?: boolean;
  store: boolean;
  code?: string;
}

export function addSessionCommands(auth: Command, ctx: AuthCommandContext): void {
  auth
    .command("login")
    .description("log in with a username and password; the session token is stored in the client config file (mode 0600)")
    .requiredOption("-u, --username <name>", "the user to log in as")
    .option("--password-stdin", "read the password from standard input instead of prompting for it")
    .option("--code <code>", "for a user with MFA on: the authenticator app's current code, or a recovery code (prompted for when needed)")
    .option("--expiry-hours <hours>", "how long the session lasts (default and limit: the server's [auth.jwt] settings)", positiveInteger("--expiry-hours"))
    .option("--print-token", "also print the token on standard output, e.g. to export CLAWBERNETES_TOKEN")
    .option("--no-store", "do not write the token to the config file (with --print-token)")
    .action(runAction(ctx.session, (flags: LoginFlags) => login(ctx, flags)));

  auth
    .command("refresh")
    .description("renew the current session token (only inside the server's refresh window, never past its maximum lifetime)")
    .option("--expiry-hours <hours>", "how long the renewed session lasts", positiveInteger("--expiry-hours"))
    .option("--print-token", "print the new token on standard output")
    .action(runAction(ctx.session, (flags: { expiryHours?: number; printToken?: boolean }) => refresh(ctx, flags)));

  auth
    .command("logout")
    .description("revoke the current session token on the server and remove its context from the config file, making the previous context current again")
    .action(runAction(ctx.session, () => logout(ctx)));
}

async function login(ctx: AuthCommandContext, flags: LoginFlags): Promise<void> {
  const { session } = ctx;
  if (!flags.store && !flags.printToken) throw new UsageError("--no-store without --print-token would throw the token away; add --print-token");
  const inputs = ctx.configInputs();
  const target = await resolveLoginTarget(inputs, { storing: flags.store });
  const { password } = await readPassword({
    stdin: session.deps.stdin,
    prompt: session.deps.stderr,
    fromStdin: flags.passwordStdin === true,
    command: `claw auth login --username ${flags.username}`,
  });
  const anonymous = new RestClient({ server: target.server, tls: target.tls, userAgent: `claw/${session.deps.version ?? "cli"}`, onWarning: (text) => session.warn(text) });
  let token: SessionToken;
  try {
    const request = { username: flags.username, password, ...(flags.expiryHours ? { expiryHours: flags.expiryHours } : {}) };
    token = await loginWithCode({ api: new AuthApi(anonymous, session.deps.signal), request, code: flags.code, session, stdinUsed: flags.passwordStdin === true });
  } catch (err) {
    // A 401 here is a wrong username or password, not a missing credential: say only what the server said.
    if (!isUnauthorized(err)) throw err;
    session.err(`${renderError(err, { server: target.server }).message.split("\n")[0]}\nCheck the username and password (the server gives one message for both).`);
    throw new ReportedFailure(ExitCode.Unauthorized);
  } finally {
    await anonymous.close();
  }
  const say = flags.printToken ? (line: string) => session.err(line) : (line: string) => session.out(`${line}\n`);
  say(`Logged in to ${target.server} as ${token.username}; the session lasts until ${token.expiresAt} (renewable until ${token.maxExpiresAt}).`);
  if (flags.store) {
    const stored = await storeSessionToken({ inputs, resolved: target, username: token.username, token: token.token });
    const back = stored.previousContext ? `; 'claw auth logout' makes "${stored.previousContext}" current again` : "";
    say(`The token is stored in ${stored.path} as context "${stored.context}", now current${stored.created ? " (a new file)" : ""}${back}.`);
    warnShadowed(ctx, "the stored token");
  }
  if (flags.printToken) session.out(`${token.token}\n`);
}

async function refresh(ctx: AuthCommandContext, flags: { expiryHours?: number; printToken?: boolean }): Promise<void> {
  const { session } = ctx;
  const resolved = await session.config();
  const credential = sessionCredential(resolved, "refresh");
  const fromFile = tokenIsFromConfigFile(resolved);
  if (!fromFile && !flags.printToken) {
    throw new UsageError(`the session token comes from ${credential.source}, which claw cannot update: run 'claw auth refresh --print-token' and use the token it prints`);
  }
  const token = await (await ctx.api()).refresh(flags.expiryHours ? { expiryHours: flags.expiryHours } : {});
  const say = flags.printToken ? (line: string) => session.err(line) : (line: string) => session.out(`${line}\n`);
  say(`Session of ${token.username} refreshed; it lasts until ${token.expiresAt} (renewable until ${token.maxExpiresAt}).`);
  if (fromFile && (await replaceStoredToken({ path: resolved.configPath, context: resolved.contextName, expected: credential.value, next: token.token }))) {
    say(`The new token is stored in ${resolved.configPath}.`);
  }
  if (flags.printToken) session.out(`${token.token}\n`);
}

async function logout(ctx: AuthCommandContext): Promise<void> {
  const { session } = ctx;
  const resolved = await session.config();
  if (!resolved.credential) {
    session.err(`Not logged in: no session token was found (looked at ${resolved.searched.join(", ")}, CLAWBERNETES_TOKEN and --token).`);
    return;
  }
  const credential = sessionCredential(resolved, "logout");
  let note = "the server revoked it";
  try {
    await (await ctx.api()).logout();
  } catch (err) {
    // Already refused (expired, or logged out before): the session is over either way, so forget the token.
    if (!isUnauthorized(err)) throw err;
    note = "the server no longer accepted it (expired, or logged out already)";
  }
  const fromFile = tokenIsFromConfigFile(resolved);
  const forgotten = fromFile ? await forgetSession({ path: resolved.configPath, context: resolved.contextName, expected: credential.value }) : undefined;
  session.out(`Logged out: ${note}${forgotten ? `, and ${forgottenText(forgotten, resolved.configPath ?? "")}` : ""}.\n`);
  if (!fromFile) session.err(`The token came from ${credential.source}; remove it from there too.`);
  else if (forgotten) await sayWhatIsUsedNow(ctx);
}

function forgottenText(forgotten: ForgottenSession, path: string): string {
  switch (forgotten.removed) {
    case "context":
      return `its context "${forgotten.context}" was removed from ${path}${forgotten.restored ? `; the current context is "${forgotten.restored}" again` : ""}`;
    case "file":
      return `${path}, which 'claw auth login' made for it, was removed`;
    case "token":
      return `it was removed from ${path}`;
  }
}

/** After logout the credential of another context or file is used: name it, or say there is none. */
async function sayWhatIsUsedNow(ctx: AuthCommandContext): Promise<void> {
  const inputs = ctx.configInputs();
  // A --context that named the session names nothing now: resolve as the next command without it will.
  const now = await resolveClientConfig({ ...inputs, flags: { ...inputs.flags, context: undefined } }).catch(() => undefined);
  if (!now) return;
  if (now.credential) ctx.session.out(`Now using the credential in ${now.credential.source}.\n`);
  else ctx.session.out(`No credential is configured now (looked at ${now.searched.join(", ")}); log in with 'claw auth login --username NAME'.\n`);
}

/** The credential in use, when it is a session token; an API key or nothing is a usage error for refresh and logout. */
function sessionCredential(resolved: ResolvedClientConfig, verb: "refresh" | "logout"): { value: string; source: string } {
  const credential = resolved.credential;
  if (!credential) throw new UsageError(`there is no session token to ${verb}: log in with 'claw auth login --username NAME'`);
  if (credential.type === "apiKey") {
    const instead = verb === "refresh" ? "rotate a key with 'claw auth apikey rotate ak_…'" : "revoke a key with 'claw auth apikey revoke ak_…'";
    throw new UsageError(`${verb} works on a session token from 'claw auth login', but the credential in use is an API key (from ${credential.source}); ${instead}`);
  }
  return credential;
}

/** A credential from a flag or variable is used before the config file's token: say so, or login looks broken. */
function warnShadowed(ctx: AuthCommandContext, what: string): void {
  const { flags, env } = ctx.configInputs();
  const shadow = flags.token ? "--token" : env.CLAWBERNETES_TOKEN?.trim() ? "CLAWBERNETES_TOKEN" : env.CLAWBERNETES_API_KEY?.trim() ? "CLAWBERNETES_API_KEY" : undefined;
  if (shadow) ctx.session.err(`warning: ${shadow} is set and is used before ${what}; unset it (or drop the flag) to use this session`);
}

export function positiveInteger(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[1-9][0-9]*$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number of hours above 0, such as 24; got "${value}"`);
    return Number(value.trim());
  };
}
