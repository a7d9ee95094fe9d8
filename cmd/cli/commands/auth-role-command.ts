// `claw auth role create | list | info`

import type { Command } from "commander";
import { isForbidden } from "../../../api/machinery/errors.js";
import { API_VERSION } from "../../../api/machinery/meta.js";
import type { Role } from "../../../api/types/role.js";
import type { User } from "../../../api/types/user.js";
import { runAction } from "../cli-action.js";
import { ageOf } from "../printers/age.js";
import { renderRows } from "../printers/row-table.js";
import { formatPermissions, parsePermissionList } from "../permission-list.js";
import type { AuthCommandContext } from "./auth-context.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addRoleCommands(auth: Command, ctx: AuthCommandContext): void {
  const { session } = ctx;
  const role = auth.command("role").description("manage roles: create, list, info");

  role
    .command("create")
    .description("create a custom role")
    .argument("<name>", "the role name, such as ml-engineer")
    .option("--description <text>", "who the role is for, such as \"ML team member\"")
    .requiredOption(
      "--permissions <list>",
      'comma-separated resource:action permissions; an item without ":" adds an action to the one before: "workloads:*,nodes:read,list"',
      collect,
    )
    .action(
      runAction(session, async (name: string, flags: { description?: string; permissions: string[] }) => {
        const permissions = parsePermissionList(flags.permissions, "--permissions");
        const object: Role = {
          apiVersion: API_VERSION,
          kind: "Role",
          metadata: { name },
          spec: { ...(flags.description ? { description: flags.description } : {}), permissions },
        };
        await (await session.client()).create<Role>("roles", object, { fieldManager: "claw", signal: session.deps.signal });
        session.out(`role.security.clawbernetes.com/${name} created\n`);
      }),
    );

  role
    .command("list")
    .description("list roles: name, permissions, description, age")
    .action(
      runAction(session, async () => {
        const list = await (await session.client()).list<Role>("roles", { signal: session.deps.signal });
        if (list.items.length === 0) return session.err("No resources found");
        const rows = [...list.items]
          .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
          .map((r) => [r.metadata.name, formatPermissions(r.spec?.permissions ?? []), r.spec?.description, r.metadata.creationTimestamp]);
        session.out(renderRows([{ name: "Name" }, { name: "Permissions" }, { name: "Description" }, { name: "Age", type: "date" }], rows, session.clock.now()));
      }),
    );

  role
    .command("info")
    .description("show a role: description, permissions, what they expand to, and the users holding it")
    .argument("<name>")
    .action(
      runAction(session, async (name: string) => {
        const client = await session.client();
        const found = await client.get<Role>("roles", name, { signal: session.deps.signal });
        let holders: string[] | string;
        try {
          const users = await client.list<User>("users", { signal: session.deps.signal });
          holders = users.items.filter((u) => u.spec?.roles?.includes(name)).map((u) => u.metadata.name).sort();
        } catch (err) {
          if (!isForbidden(err)) throw err;
          holders = "<not allowed to list users>";
        }
        session.out(describeRole(found, holders, session.clock.now()));
      }),
    );
}

/** The `role info` text: one field a line, lists one item a line under their label. */
export function describeRole(role: Role, holders: string[] | string, nowMs: number): string {
  const lines: string[] = [];
  const field = (label: string, values: string[] | string) => {
    const list = typeof values === "string" ? [values] : values.length ? values : ["<none>"];
    list.forEach((v, i) => lines.push(`${(i === 0 ? `${label}:` : "").padEnd(14)}${v}`));
  };
  field("Name", role.metadata.name);
  field("Description", role.spec?.description ?? "<none>");
  field("Permissions", role.spec?.permissions ?? []);
  if (role.status?.resolvedPermissions) field("Expands to", role.status.resolvedPermissions);
  field("Users", holders);
  const created = role.metadata.creationTimestamp;
  if (created) field("Created", `${created} (${ageOf(created, nowMs) ?? "?"} ago)`);
  for (const c of role.status?.conditions ?? []) field(c.type, `${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`);
  return `${lines.join("\n")}\n`;
}
