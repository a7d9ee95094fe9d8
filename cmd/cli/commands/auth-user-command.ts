// `claw auth user create | assign-role | remove-role | list | disable | enable | delete | set-password`

import type { Command } from "commander";
import { isNotFound } from "../../../api/machinery/errors.js";
import { API_VERSION } from "../../../api/machinery/meta.js";
import type { ApiKey } from "../../../api/types/api-key.js";
import { isInactive, lastActiveTime } from "../../../api/types/credential-activity.js";
import type { User } from "../../../api/types/user.js";
import { FailureLog, runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import { guardedPatch } from "../guarded-patch.js";
import { lastActiveCell, parseInactive } from "../inactive-filter.js";
import { readPassword } from "../password-input.js";
import { renderRows } from "../printers/row-table.js";
import type { AuthCommandContext } from "./auth-context.js";

const USERS = "users";

export function addUserCommands(auth: Command, ctx: AuthCommandContext): void {
  const { session } = ctx;
  const user = auth.command("user").description("manage users: create, roles, list, disable, delete, passwords");

  user
    .command("create")
    .description("create a user, and set its password with --password-stdin")
    .argument("<name>", "the username, such as alice")
    .option("--email <email>", "the user's email address")
    .option("--roles <roles>", "comma-separated role names, such as operator,ml-engineer")
    .option("--password-stdin", "read the user's password from standard input")
    .action(runAction(session, (name: string, flags: { email?: string; roles?: string; passwordStdin?: boolean }) => createUser(ctx, name, flags)));

  user
    .command("assign-role")
    .description("grant roles to a user (safe against concurrent changes)")
    .argument("<user>")
    .argument("<roles...>", "one or more role names")
    .action(runAction(session, (name: string, roles: string[]) => changeRoles(ctx, name, roles, "assign")));

  user
    .command("remove-role")
    .description("take roles away from a user (safe against concurrent changes)")
    .argument("<user>")
    .argument("<roles...>", "one or more role names")
    .action(runAction(session, (name: string, roles: string[]) => changeRoles(ctx, name, roles, "remove")));

  user
    .command("list")
    .description("list users: name, email, roles, status, last login, age")
    .option("--inactive <duration>", "only users with no login and no API key use for longer than this, such as 90d (a user never active counts once older than it)")
    .action(runAction(session, (flags: { inactive?: string }) => listUsers(ctx, flags)));

  for (const disabled of [true, false]) {
    user
      .command(disabled ? "disable" : "enable")
      .description(disabled ? "disable a user: no more logins, and the user's sessions and keys stop working at once" : "enable a disabled user again")
      .argument("<user>")
      .action(runAction(session, (name: string) => setDisabled(ctx, name, disabled)));
  }

  user
    .command("delete")
    .description("delete a user")
    .argument("<user>")
    .action(
      runAction(session, async (name: string) => {
        await (await session.client()).delete(USERS, name, { signal: session.deps.signal });
        session.out(`user.security.clawbernetes.com "${name}" deleted\n`);
      }),
    );

  user
    .command("set-password")
    .description("set a user's password: prompts twice on a terminal, or reads it with --password-stdin")
    .argument("<user>")
    .option("--password-stdin", "read the password from standard input")
    .option("--current", "give your current password too (changing your own without users:update); from stdin it is the first line")
    .action(
      runAction(session, async (name: string, flags: { passwordStdin?: boolean; current?: boolean }) => {
        const { password, current } = await readPassword({
          stdin: session.deps.stdin,
          prompt: session.deps.stderr,
          fromStdin: flags.passwordStdin === true,
          command: `claw auth user set-password ${name}`,
          confirm: true,
          current: flags.current === true,
        });
        await (await ctx.api()).setPassword(name, { password, ...(current !== undefined ? { currentPassword: current } : {}) });
        session.out(`password set for user "${name}"\n`);
      }),
    );
}

async function createUser(ctx: AuthCommandContext, name: string, flags: { email?: string; roles?: string; passwordStdin?: boolean }): Promise<void> {
  const { session } = ctx;
  const roles = flags.roles === undefined ? undefined : nameList(flags.roles, "--roles");
  // Read the password first, so a problem with it does not leave a user behind.
  const password = flags.passwordStdin
    ? (await readPassword({ stdin: session.deps.stdin, prompt: session.deps.stderr, fromStdin: true, command: `claw auth user create ${name}` })).password
    : undefined;
  const object: User = {
    apiVersion: API_VERSION,
    kind: "User",
    metadata: { name },
    spec: { ...(flags.email ? { email: flags.email } : {}), ...(roles ? { roles } : {}) },
  };
  await (await session.client()).create<User>(USERS, object, { fieldManager: "claw", signal: session.deps.signal });
  session.out(`user.security.clawbernetes.com/${name} created\n`);
  if (password === undefined) {
    session.err(`note: "${name}" has no password yet and cannot log in; set one with 'claw auth user set-password ${name}'`);
    return;
  }
  const failures = new FailureLog(session);
  try {
    await (await ctx.api()).setPassword(name, { password });
    session.out(`password set for user "${name}"\n`);
  } catch (err) {
    failures.report(err, `setting the password of the new user "${name}"`);
    session.err(`The user exists without a password; try again with 'claw auth user set-password ${name}'.`);
  }
  failures.finish();
}

async function changeRoles(ctx: AuthCommandContext, name: string, roles: string[], op: "assign" | "remove"): Promise<void> {
  const { session } = ctx;
  const wanted = nameList(roles.join(","), "ROLE");
  const client = await session.client();
  const result = await guardedPatch<User>({
    client,
    plural: USERS,
    name,
    signal: session.deps.signal,
    change: (live) => {
      const current = live.spec?.roles ?? [];
      const next = op === "assign" ? [...current, ...wanted.filter((r) => !current.includes(r))] : current.filter((r) => !wanted.includes(r));
      return next.length === current.length ? undefined : { roles: next };
    },
  });
  const now = result.object.spec?.roles ?? [];
  const list = wanted.map((r) => `"${r}"`).join(", ");
  const plural = wanted.length > 1 ? "roles" : "role";
  if (!result.changed) {
    session.out(`user "${name}" ${op === "assign" ? "already has" : "does not have"} ${plural} ${list}; nothing changed\n`);
    return;
  }
  session.out(`${plural} ${list} ${op === "assign" ? "assigned to" : "removed from"} user "${name}" (roles: ${now.length ? now.join(", ") : "<none>"})\n`);
  if (op === "assign") {
    for (const role of wanted) {
      try {
        await client.get("roles", role, { signal: session.deps.signal });
      } catch (err) {
        if (isNotFound(err)) session.err(`warning: role "${role}" does not exist yet; "${name}" gets its permissions once it is created`);
      }
    }
  }
}

async function setDisabled(ctx: AuthCommandContext, name: string, disabled: boolean): Promise<void> {
  const { session } = ctx;
  const result = await guardedPatch<User>({
    client: await session.client(),
    plural: USERS,
    name,
    signal: session.deps.signal,
    change: (live) => ((live.spec?.disabled === true) === disabled ? undefined : { disabled }),
  });
  const state = disabled ? "disabled" : "enabled";
  session.out(result.changed ? `user "${name}" ${state}\n` : `user "${name}" is already ${state}\n`);
}

async function listUsers(ctx: AuthCommandContext, flags: { inactive?: string }): Promise<void> {
  const { session } = ctx;
  const inactiveMs = parseInactive(flags.inactive);
  const client = await session.client();
  const list = await client.list<User>(USERS, { signal: session.deps.signal });
  const now = session.clock.now();
  // A user who works only through API keys is active: their keys' last use counts too.
  const keys = inactiveMs === undefined ? [] : (await client.list<ApiKey>("apikeys", { signal: session.deps.signal })).items;
  const keyTimes = (name: string) => keys.filter((k) => k.spec?.owner === name).map(lastActiveTime);
  const users = list.items.filter((u) => inactiveMs === undefined || isInactive(u, { nowMs: now, afterMs: inactiveMs, alsoActive: keyTimes(u.metadata.name) }));
  if (users.length === 0) {
    session.err("No resources found");
    return;
  }
  const rows = users
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((u) => [u.metadata.name, u.spec?.email, u.spec?.roles ?? [], userState(u), lastActiveCell(u.status?.lastLoginTime, now), u.metadata.creationTimestamp]);
  session.out(renderRows([{ name: "Name" }, { name: "Email" }, { name: "Roles" }, { name: "Status" }, { name: "Last Login" }, { name: "Age", type: "date" }], rows, now));
}

/** Disabled, waiting for roles that do not exist, or Active. */
export function userState(user: User): string {
  if (user.spec?.disabled) return "Disabled";
  const missing = user.status?.missingRoles ?? [];
  return missing.length ? `MissingRoles(${missing.join(",")})` : "Active";
}

/** Comma-separated names, trimmed, without empties or repeats. */
export function nameList(text: string, flag: string): string[] {
  const names = [...new Set(text.split(",").map((s) => s.trim()).filter(Boolean))];
  if (names.length === 0) throw new UsageError(`${flag} needs at least one name`);
  return names;
}
