// `claw auth whoami` and `claw auth can-i ACTION RESOURCE [--as USER]` (yes/no and exit 0/1, as kubectl auth can-i).

import type { Command } from "commander";
import YAML from "yaml";
import type { WhoAmI } from "../../../api/types/auth-api.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import { ExitCode } from "../exit-codes.js";
import { formatPermissions } from "../permission-list.js";
import type { AuthCommandContext } from "./auth-context.js";

/** kubectl verbs people type out of habit, and the claw action each one is. */
const KUBECTL_VERBS: Record<string, string> = { get: "read", watch: "list", patch: "update" };
const WORD = /^(\*|[a-z][a-z0-9-]*)$/;

export function addAccessCommands(auth: Command, ctx: AuthCommandContext): void {
  auth
    .command("whoami")
    .description("show who the server takes you for: user, how you authenticated, roles and effective permissions")
    .option("-o, --output <format>", "yaml or json")
    .action(
      runAction(ctx.session, async (flags: { output?: string }) => {
        if (flags.output !== undefined && flags.output !== "yaml" && flags.output !== "json") throw new UsageError(`unknown output format "${flags.output}"; use yaml or json`);
        const me = await (await ctx.api()).whoami();
        if (flags.output === "json") ctx.session.out(`${JSON.stringify(me, null, 2)}\n`);
        else if (flags.output === "yaml") ctx.session.out(YAML.stringify(me));
        else ctx.session.out(describeWhoAmI(me));
      }),
    );

  auth
    .command("can-i")
    .description("ask whether you (or --as USER) may do ACTION on RESOURCE: prints yes (exit 0) or no (exit 1)")
    .argument("<action>", "create, read, list, update, delete, execute, admin or *")
    .argument("<resource>", "nodes, workloads, secrets, users, roles, apikeys, audit, molt, … or *")
    .option("--as <user>", "ask for another user (needs users:admin)")
    .option("-v, --verbose", "also print why, on a second line")
    .action(
      runAction(ctx.session, async (action: string, resource: string, flags: { as?: string; verbose?: boolean }) => {
        checkWord(action, "action");
        checkWord(resource, "resource");
        const review = await (await ctx.api()).review({ action, resource, ...(flags.as ? { user: flags.as } : {}) });
        ctx.session.out(`${review.allowed ? "yes" : "no"}\n`);
        if (flags.verbose && review.reason) ctx.session.out(`${review.reason}\n`);
        if (!review.allowed) throw new ReportedFailure(ExitCode.Failure);
      }),
    );
}

export function describeWhoAmI(me: WhoAmI): string {
  const rows: [string, string][] = [
    ["Username", me.username],
    ["Method", me.method === "apikey" ? "API key" : me.method === "jwt" ? "session token (JWT)" : "client certificate (mTLS)"],
    ...(me.keyId ? ([["Key ID", me.keyId]] as [string, string][]) : []),
    ["Roles", me.roles.length ? me.roles.join(", ") : "<none>"],
    ["Permissions", formatPermissions(me.permissions)],
    ["Expires", me.expiresAt ?? "never"],
  ];
  return rows.map(([k, v]) => `${`${k}:`.padEnd(14)}${v}\n`).join("");
}

function checkWord(word: string, what: "action" | "resource"): void {
  const claw = what === "action" ? KUBECTL_VERBS[word] : undefined;
  if (claw) throw new UsageError(`"${word}" is a kubectl verb; the claw action is "${claw}" (actions: create, read, list, update, delete, execute, admin, *)`);
  if (!WORD.test(word)) throw new UsageError(`the ${what} "${word}" must be * or lower-case letters, such as ${what === "action" ? "read" : "nodes"}`);
}
