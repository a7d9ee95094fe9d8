// `claw secrets create | rotate | reveal`: the commands a value passes through. It travels only in the
// request body (create, rotate) or the answer (reveal), never in a message.

import type { Command } from "commander";
import { API_VERSION } from "../../../api/machinery/meta.js";
import type { Secret, SecretSpec } from "../../../api/types/secret.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import { readValueSource, type ValueFlags } from "../secret-value-input.js";
import { nameList } from "./auth-user-command.js";
import { FIELD_MANAGER, SECRETS, type SecretsCommandContext } from "./secrets-context.js";

interface CreateFlags extends ValueFlags {
  allowedWorkloads?: string;
  rotateDays?: string;
  description?: string;
}

interface RotateFlags extends Omit<ValueFlags, "value" | "file"> {
  newValue?: string;
  fromFile?: string;
}

const addGeneratorOptions = (cmd: Command) =>
  cmd
    .option("--generate", "let the server generate a random value, so that no person ever sees it")
    .option("--length <n>", "with --generate: how many characters, 16 to 4096 (default 32)")
    .option("--charset <charset>", "with --generate: alphanumeric (default), hex, base64url or printable");

export function addSecretValueCommands(secrets: Command, ctx: SecretsCommandContext): void {
  const { session } = ctx;
  const create = secrets
    .command("create")
    .description("create a secret; the server seals the value and never returns it (without a value flag it generates one)")
    .argument("<name>", "the secret name, such as database-password")
    .option("--value <value>", "the value itself (it lands in your shell history: prefer --value-stdin or --file)")
    .option("--value-stdin", "read the value from standard input (the final line break is not part of it)")
    .option("--file <path>", "read the value from a file, exactly as it is (UTF-8 text, up to 1 MiB)");
  addGeneratorOptions(create)
    .option("--allowed-workloads <list>", 'comma-separated workload names that may read it, or "*" for every workload')
    .option("--rotate-days <n>", "rotate automatically every N days (1 to 3650)")
    .option("--description <text>", "what the secret is for")
    .action(runAction(session, (name: string, flags: CreateFlags) => createSecret(ctx, name, flags)));

  const rotate = secrets
    .command("rotate")
    .description("give a secret a new value: a new version, the old ones kept in its history")
    .argument("<name>")
    .option("--new-value <value>", "the new value itself (it lands in your shell history: prefer --value-stdin or --from-file)")
    .option("--value-stdin", "read the new value from standard input (the final line break is not part of it)")
    .option("--from-file <path>", "read the new value from a file, exactly as it is");
  addGeneratorOptions(rotate).action(
    runAction(session, async (name: string, flags: RotateFlags) => {
      const source = await readValueSource(
        { ...flags, ...(flags.newValue !== undefined ? { value: flags.newValue } : {}), ...(flags.fromFile !== undefined ? { file: flags.fromFile } : {}) },
        { names: { value: "--new-value", file: "--from-file" }, generateByDefault: false, stdin: session.deps.stdin, warn: (t) => session.warn(t) },
      );
      const info = await (await ctx.api()).rotate(name, source);
      session.out(`secret "${name}" rotated: version ${info.version} (${info.source}, sealed under key ${info.keyId})\n`);
    }),
  );

  secrets
    .command("reveal")
    .description("print a secret's value (needs secrets:admin; every reveal is audited)")
    .argument("<name>")
    .action(
      runAction(session, async (name: string) => {
        const released = await (await ctx.api()).reveal(name);
        // The exact value into a pipe or file; a line break after it only on a terminal.
        const terminal = (session.deps.stdout as { isTTY?: unknown }).isTTY === true;
        session.out(terminal && !released.value.endsWith("\n") ? `${released.value}\n` : released.value);
      }),
    );
}

async function createSecret(ctx: SecretsCommandContext, name: string, flags: CreateFlags): Promise<void> {
  const { session } = ctx;
  const allowed = flags.allowedWorkloads === undefined ? undefined : nameList(flags.allowedWorkloads, "--allowed-workloads");
  const rotateDays = flags.rotateDays === undefined ? undefined : parseRotateDays(flags.rotateDays);
  const valueFrom = await readValueSource(flags, { names: { value: "--value", file: "--file" }, generateByDefault: true, stdin: session.deps.stdin, warn: (t) => session.warn(t) });
  const spec: SecretSpec = {
    ...(flags.description ? { description: flags.description } : {}),
    valueFrom,
    ...(allowed ? { allowedWorkloads: allowed } : {}),
    ...(rotateDays !== undefined ? { rotation: { autoRotate: true, intervalDays: rotateDays } } : {}),
  };
  const object: Secret = { apiVersion: API_VERSION, kind: "Secret", metadata: { name }, spec };
  const created = await (await session.client()).create<Secret>(SECRETS, object, { fieldManager: FIELD_MANAGER, signal: session.deps.signal });
  const version = created.spec?.sealed?.version;
  session.out(`secret.security.clawbernetes.com/${name} created${version !== undefined ? ` (version ${version})` : ""}\n`);
  if (!allowed) session.err(`note: no workload may read "${name}" yet; allow some with 'claw secrets policy set ${name} --allow-workloads NAME,…'`);
}

/** --rotate-days: whole days from 1 to 3650, as spec.rotation.intervalDays. */
export function parseRotateDays(text: string): number {
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > 3650) throw new UsageError(`--rotate-days must be a whole number of days from 1 to 3650, such as 30, not "${text}"`);
  return days;
}
