// `claw secrets list | history | delete | config`: what a secret is, never its value.

import type { Command } from "commander";
import type { Secret, SecretRotation } from "../../../api/types/secret.js";
import type { SecretPolicy } from "../../../api/types/secret-policy.js";
import type { SecretHistory } from "../../../api/types/secrets-api.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import { renderRows } from "../printers/row-table.js";
import { parseRotateDays } from "./secrets-value-command.js";
import { FIELD_MANAGER, SECRET_POLICIES, SECRETS, type SecretsCommandContext } from "./secrets-context.js";

export function addSecretListCommands(secrets: Command, ctx: SecretsCommandContext): void {
  const { session } = ctx;
  secrets
    .command("list")
    .description("list secrets: name, version, who may read them, rotation, age (never values)")
    .action(
      runAction(session, async () => {
        const list = await (await session.client()).list<Secret>(SECRETS, { signal: session.deps.signal });
        if (list.items.length === 0) return session.err("No resources found");
        const rows = [...list.items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map(secretRow);
        const columns = [{ name: "Name" }, { name: "Version" }, { name: "Allowed Workloads" }, { name: "Auto Rotate" }, { name: "Next Rotation", type: "date" as const }, { name: "Key ID" }, { name: "Age", type: "date" as const }];
        session.out(renderRows(columns, rows, session.clock.now()));
      }),
    );

  secrets
    .command("history")
    .description("list a secret's kept versions: number, time, source, who made it, key id (never values)")
    .argument("<name>")
    .action(runAction(session, async (name: string) => session.out(renderHistory(await (await ctx.api()).history(name), session.clock.now()))));

  secrets
    .command("delete")
    .description("delete a secret and every kept version of its value")
    .argument("<name>")
    .action(
      runAction(session, async (name: string) => {
        const client = await session.client();
        await client.delete(SECRETS, name, { signal: session.deps.signal });
        session.out(`secret.security.clawbernetes.com "${name}" deleted\n`);
        try {
          await client.get<SecretPolicy>(SECRET_POLICIES, name, { signal: session.deps.signal });
          session.err(`note: the SecretPolicy "${name}" stays, and applies again to a new secret of that name; remove it with 'claw delete secretpolicy ${name}'`);
        } catch {
          // Only a hint: a policy that is gone, or one the caller may not read, changes nothing.
        }
      }),
    );

  secrets
    .command("config")
    .description("change how a secret rotates: --auto-rotate or --no-auto-rotate, --rotate-days N")
    .argument("<name>")
    .option("--auto-rotate", "rotate automatically (the server generates each new value)")
    .option("--no-auto-rotate", "stop rotating automatically")
    .option("--rotate-days <n>", "days between rotations (1 to 3650)")
    .action(
      runAction(session, async (name: string, flags: { autoRotate?: boolean; rotateDays?: string }) => {
        const rotation: SecretRotation = {
          ...(flags.autoRotate !== undefined ? { autoRotate: flags.autoRotate } : {}),
          ...(flags.rotateDays !== undefined ? { intervalDays: parseRotateDays(flags.rotateDays) } : {}),
        };
        if (Object.keys(rotation).length === 0) throw new UsageError("say what to change: --auto-rotate, --no-auto-rotate and/or --rotate-days N");
        const patched = await (await session.client()).patch<Secret>(SECRETS, name, { spec: { rotation } }, { type: "merge", fieldManager: FIELD_MANAGER, signal: session.deps.signal });
        session.out(`secret "${name}" configured: ${rotationText(patched.spec?.rotation)}\n`);
      }),
    );
}

function secretRow(s: Secret): unknown[] {
  const rotation = s.spec?.rotation;
  return [
    s.metadata.name,
    s.status?.currentVersion ?? s.spec?.sealed?.version ?? "<none>",
    s.spec?.allowedWorkloads ?? [],
    rotation?.autoRotate ? (rotation.intervalDays ? `every ${rotation.intervalDays}d` : "yes") : "off",
    s.status?.nextRotationAt,
    s.spec?.sealed?.keyId,
    s.metadata.creationTimestamp,
  ];
}

export function rotationText(rotation: SecretRotation | undefined): string {
  const every = rotation?.intervalDays ? `every ${rotation.intervalDays} days` : undefined;
  if (rotation?.autoRotate) return `rotates automatically${every ? ` ${every}` : ""}`;
  return `automatic rotation off${every ? ` (interval ${every})` : ""}`;
}

/** The history table, oldest first; CURRENT says which version workloads receive now. */
export function renderHistory(history: SecretHistory, nowMs: number): string {
  const rows = [...history.versions]
    .sort((a, b) => a.version - b.version)
    .map((v) => [v.version, v.createdAt, v.source, v.actor, v.keyId, v.version === history.currentVersion ? "yes" : "no"]);
  return renderRows(["Version", "Created", "Source", "Actor", "Key ID", "Current"].map((name) => ({ name })), rows, nowMs);
}
