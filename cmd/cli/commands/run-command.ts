// `claw run [--workload NAME] [--labels k=v,…] --secret ENV=secret … --secret-mount PATH=secret … -- COMMAND [ARGS…]`
// (or the guide's `claw run --secret … IMAGE` under docker or podman). The plan is made and checked
// before anything is fetched; run-supervisor.ts does the rest.

import { accessSync, constants, existsSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { delimiter, join } from "node:path";
import { CommanderError, type Command } from "commander";
import { FAILED, runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { parseLabelList } from "../label-list.js";
import { SecretsApi } from "../secrets-api.js";
import { parseEnvBindings, parseMountBindings, planLaunch, workloadName } from "../run/run-plan.js";
import { superviseRun, type RunPlan } from "../run/run-supervisor.js";

interface RunFlags {
  workload?: string;
  labels?: string;
  secret?: string[];
  secretMount?: string[];
  restartOnRotate?: boolean;
  rotateSignal?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const SIGNAL = /^SIG[A-Z0-9]+$/;

export function addRunCommand(program: Command, session: CliSession): void {
  program
    .command("run")
    .description("run a command (or an image) with secrets released to it as a workload: variables, and files in a private folder")
    .argument("<command...>", "the command and its arguments after --, or one image such as my-app:latest")
    .option("--workload <name>", "the workload to run as, which the secrets' policies name (default: the command's file name, or the image's name)")
    .option("--labels <labels>", "the workload's labels, such as env=production,team=backend")
    .option("--secret <ENV=secret>", "put a secret's value in an environment variable (repeatable)", collect)
    .option("--secret-mount <PATH=secret>", "write a secret's value to a file, mode 0600, under $CLAW_SECRETS_DIR (repeatable)", collect)
    .option("--restart-on-rotate", "watch the secrets and restart the command when one rotates")
    .option("--rotate-signal <signal>", "with --restart-on-rotate: send this signal (such as SIGHUP) instead of restarting; only the files change")
    .showHelpAfterError("(the command goes after --, so that its own options are not taken for claw's: claw run [flags] -- COMMAND [ARGS…])")
    .addHelpText(
      "after",
      `
Examples:
  claw run --workload api-server --secret DATABASE_PASSWORD=database-password -- ./server --port 8080
  claw run --secret-mount /secrets/cert.pem=tls-cert -- sh -c 'cat "$CLAW_SECRETS_DIR/secrets/cert.pem"'
  claw run --secret DATABASE_PASSWORD=database-password my-app:latest     # docker or podman run, when on the PATH

The command's exit status is claw's; a release that is refused stops it from starting (the message names the rule).
`,
    )
    .action(async (args: string[], flags: RunFlags, command: Command) => {
      let code = 0;
      await runAction(session, async () => {
        const plan = makePlan(args, flags, session, afterDashDash(command));
        const client = await session.client();
        const signals = session.deps.processSignals ?? process;
        code = await superviseRun(plan, { session, client, api: new SecretsApi(client, session.deps.signal), signals });
      })();
      // The command's own status, which no message explains: claw's codes are for claw's failures.
      if (code !== 0) throw new CommanderError(code, FAILED, "");
    });
}

function makePlan(args: string[], flags: RunFlags, session: CliSession, dashDash: boolean): RunPlan {
  const env = parseEnvBindings(flags.secret ?? []);
  const mounts = parseMountBindings(flags.secretMount ?? []);
  if (env.length === 0 && mounts.length === 0) throw new UsageError("give at least one --secret ENV=secret or --secret-mount PATH=secret");
  if (flags.rotateSignal !== undefined && !flags.restartOnRotate) throw new UsageError("--rotate-signal goes with --restart-on-rotate");
  const rotateSignal = flags.rotateSignal === undefined ? undefined : signalName(flags.rotateSignal);
  const launch = planLaunch({ args, afterDashDash: dashDash, findExecutable: (name) => findExecutable(name, session.deps.env.PATH), exists: existsSync });
  const labels = flags.labels === undefined ? undefined : parseLabelList(flags.labels, "--labels");
  return {
    workload: { name: workloadName(flags.workload, launch), ...(labels ? { labels } : {}) },
    env,
    mounts,
    launch,
    restartOnRotate: flags.restartOnRotate === true,
    ...(rotateSignal ? { rotateSignal } : {}),
  };
}

function signalName(text: string): NodeJS.Signals {
  const name = text.toUpperCase().startsWith("SIG") ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  if (!SIGNAL.test(name) || !(name in osConstants.signals)) throw new UsageError(`--rotate-signal: "${text}" is not a signal, such as SIGHUP or SIGUSR1`);
  return name as NodeJS.Signals;
}

/** Whether the words came after `--` (always a command, never an image): commander keeps no trace of it but the raw arguments. */
function afterDashDash(command: Command): boolean {
  let root: Command = command;
  while (root.parent) root = root.parent;
  const raw: unknown = (root as unknown as { rawArgs?: unknown }).rawArgs;
  return Array.isArray(raw) && raw.includes("--");
}

/** The first executable file of that name on the PATH, as a shell finds it. */
export function findExecutable(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // Not there, or not executable: the next folder.
    }
  }
  return undefined;
}
