// `claw auth mfa enroll | disable | status`: TOTP MFA (RFC 6238) for one's own account; an admin with
// users:admin may read and disable another's (--user). Secrets and recovery codes are printed once, on stdout.

import type { Command } from "commander";
import QRCode from "qrcode";
import { isApiError } from "../../../api/machinery/errors.js";
import { mfaPaths, type MfaEnrollment, type MfaStatus } from "../../../api/types/mfa-api.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import { readCode } from "../mfa-code-input.js";
import { malformed, shape, str } from "../answer-shape.js";
import type { AuthCommandContext } from "./auth-context.js";

export function addMfaCommands(auth: Command, ctx: AuthCommandContext): void {
  const mfa = auth
    .command("mfa")
    .description("multi-factor authentication (TOTP, as authenticator apps use): enrol, disable, status")
    .addHelpText(
      "after",
      `
Examples:
  claw auth mfa enroll                 # shows a QR code and the secret, asks for the first code, prints 10 recovery codes once
  claw auth mfa enroll --code 123456   # confirms an enrolment started without a terminal
  claw auth mfa disable --code 123456  # your own (a current or a recovery code)
  claw auth mfa disable --user alice   # someone else's (needs users:admin)
  claw auth mfa status [--user alice]
`,
    );
  mfa
    .command("enroll")
    .description("enrol an authenticator app: a new secret as a QR code, confirmed by its first code")
    .option("--code <code>", "confirm the pending enrolment with this code instead of starting a new one")
    .action(runAction(ctx.session, (flags: { code?: string }) => enroll(ctx, flags)));
  mfa
    .command("disable")
    .description("turn MFA off: your own with a current code or a recovery code; another user's with users:admin")
    .option("--user <name>", "the user whose MFA to disable (default: you)")
    .option("--code <code>", "a current code or a recovery code (for your own)")
    .action(runAction(ctx.session, (flags: { user?: string; code?: string }) => disable(ctx, flags)));
  mfa
    .command("status")
    .description("whether MFA is on, and how many recovery codes are left")
    .option("--user <name>", "another user (needs users:read)")
    .action(runAction(ctx.session, (flags: { user?: string }) => status(ctx, flags)));
}

const me = async (ctx: AuthCommandContext): Promise<string> => (await (await ctx.api()).whoami()).username;

async function call(ctx: AuthCommandContext, method: "GET" | "POST", path: string, body?: unknown): Promise<Record<string, unknown>> {
  const client = await ctx.session.client();
  return shape(await client.requestJson<unknown>({ method, path, ...(body !== undefined ? { body } : {}), signal: ctx.session.deps.signal }), path);
}

async function enroll(ctx: AuthCommandContext, flags: { code?: string }): Promise<void> {
  const { session } = ctx;
  const username = await me(ctx);
  if (flags.code === undefined) {
    const path = mfaPaths.enroll(username);
    const answer = await call(ctx, "POST", path);
    const enrollment = { secret: str(answer, "secret", path), uri: str(answer, "uri", path) } satisfies Pick<MfaEnrollment, "secret" | "uri">;
    session.out(`Scan this QR code with an authenticator app (Google Authenticator, 1Password, Authy, …):\n\n`);
    session.out(await QRCode.toString(enrollment.uri, { type: "terminal", small: true }));
    session.out(`\nOr enter the secret by hand (TOTP, SHA-1, 6 digits, 30 s): ${enrollment.secret}\n\n`);
  }
  const code = await readCode({ flag: flags.code, stdin: session.deps.stdin, prompt: session.deps.stderr, question: "The app's current 6-digit code: ", command: "claw auth mfa enroll --code CODE" });
  if (code === undefined) {
    session.err("MFA is not on yet: confirm with the app's current code: claw auth mfa enroll --code CODE");
    return;
  }
  const path = mfaPaths.confirm(username);
  const answer = await call(ctx, "POST", path, { code });
  const codes = answer.recoveryCodes;
  if (!Array.isArray(codes) || !codes.every((c): c is string => typeof c === "string")) throw malformed(path, "recoveryCodes");
  session.out(`MFA is on for user "${username}". From now on, log in with a code: claw auth login --username ${username} --code CODE\n`);
  session.out(`\nRecovery codes (each works once, in place of a code; shown only now, so store them safely):\n${codes.map((c) => `  ${c}`).join("\n")}\n`);
  session.out(`\nYour current session may still be limited to MFA enrolment; log in again with a code to get a full one.\n`);
}

async function disable(ctx: AuthCommandContext, flags: { user?: string; code?: string }): Promise<void> {
  const { session } = ctx;
  const self = await me(ctx);
  const username = flags.user ?? self;
  let code: string | undefined;
  if (username === self) {
    code = await readCode({ flag: flags.code, stdin: session.deps.stdin, prompt: session.deps.stderr, question: "A current code or a recovery code: ", command: "claw auth mfa disable --code CODE" });
    if (code === undefined) throw new UsageError("disabling your own MFA needs a current code or a recovery code: claw auth mfa disable --code CODE");
  }
  await call(ctx, "POST", mfaPaths.disable(username), code !== undefined ? { code } : {});
  session.out(`MFA is off for user "${username}".\n`);
}

async function status(ctx: AuthCommandContext, flags: { user?: string }): Promise<void> {
  const username = flags.user ?? (await me(ctx));
  const path = mfaPaths.status(username);
  let answer: Record<string, unknown>;
  try {
    answer = await call(ctx, "GET", path);
  } catch (err) {
    if (isApiError(err) && err.code === 404) throw new UsageError(`user "${username}" does not exist`);
    throw err;
  }
  const s = answer as Partial<MfaStatus>;
  const state = s.enabled ? `on since ${s.enabledAt ?? "?"}` : s.pending ? "off (an enrolment is waiting for its first code: claw auth mfa enroll --code CODE)" : "off";
  ctx.session.out(`User:            ${username}\nMFA:             ${state}\n`);
  if (s.enabled) ctx.session.out(`Recovery codes:  ${s.recoveryCodesLeft ?? 0} left\n`);
  if (s.lockedUntil) ctx.session.out(`Locked until:    ${s.lockedUntil} (too many wrong codes)\n`);
}
