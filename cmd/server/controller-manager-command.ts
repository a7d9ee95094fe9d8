// `claw controller-manager`: only the controllers, against a claw server, authenticated like the CLI
// (--config kubeconfig, --server, --token, CLAWBERNETES_TOKEN / CLAWBERNETES_API_KEY), with leader election.

import { randomBytes } from "node:crypto";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pino from "pino";
import { systemClock, type Clock } from "../../api/machinery/clock.js";
import { isApiError } from "../../api/machinery/errors.js";
import { RestClient } from "../../api/client/rest-client.js";
import { restLeaseClient } from "../../controllers/runtime/lease-client.js";
import { DEFAULT_LEASE_NAME } from "../../controllers/runtime/manager.js";
import { resolveClientConfig, type ClientConfigFlags } from "../cli/config/client-config.js";
import { KubeconfigError } from "../cli/config/kubeconfig.js";
import { ExitCode } from "../cli/exit-codes.js";
import { FAILED } from "../cli/cli-action.js";
import { parseBooleanOption } from "./boolean-option.js";
import { controllerSetFor, managerIdentity, startControllers } from "./controllers.js";
import { MAX_CONTROLLER_WORKERS, workersRead } from "./controllers-config.js";
import { Refusal } from "../../api/machinery/toml-schema.js";
import { MAX_INACTIVE_DAYS } from "../../api/auth/auth-config.js";

export interface ControllerManagerCommandDeps {
  env: Record<string, string | undefined>;
  homeDir: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Resolves with the signal's name when the manager should stop. Default: SIGTERM or SIGINT. */
  shutdown?: () => Promise<string>;
  clock?: Clock;
}

interface Flags {
  leaderElect: boolean;
  disableInactiveAfterDays?: number;
  identity?: string;
  workers?: number;
  logLevel: string;
}

export function controllerManagerCommand(deps: ControllerManagerCommandDeps): Command {
  return new Command("controller-manager")
    .description("run only the controllers (roles, users, apikeys, secrets, blockrules, certificates; the inactive-credentials ones with --disable-inactive-after-days) against a claw server, which runs with --controllers=false; finds the server and credential as every claw verb does (--config, --server, --token)")
    .option("--leader-elect <true|false>", "compete for the claw-controller-manager Lease so that one manager of several runs the controllers", parseBooleanOption, true)
    .option("--identity <name>", "this manager's name in the Lease (default HOSTNAME_random)")
    .option("--disable-inactive-after-days <days>", "also run the inactive-credentials controllers: disable Users and revoke ApiKeys unused this many days (gateway.toml's [auth] disable_inactive_after_days, which this command does not read)", parseDays)
    .option("--workers <n>", `reconciles each controller runs at once, 1 to ${MAX_CONTROLLER_WORKERS} (default 2; gateway.toml's [controllers] workers for the in-process manager)`, parseWorkers)
    .addOption(new Option("--log-level <level>", "log level").choices(["trace", "debug", "info", "warn", "error"]).default(deps.env.CLAW_LOG_LEVEL ?? "info"))
    // addCommand does not pass the program's settings on: usage errors go to the claw exit code, not process.exit.
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.stdout(text.trimEnd()), writeErr: (text) => deps.stderr(text.trimEnd()) })
    .action(async (flags: Flags, command: Command) => {
      const global = command.parent?.opts<ClientConfigFlags>() ?? {};
      let resolved;
      try {
        resolved = await resolveClientConfig({ flags: global, env: deps.env, homeDir: deps.homeDir });
      } catch (err) {
        if (!(err instanceof KubeconfigError)) throw err;
        return fail(deps, ExitCode.Usage, err.message);
      }
      if (!resolved.credential) {
        return fail(deps, ExitCode.Unauthorized, `no credential for ${resolved.server}: pass --config with a kubeconfig that holds a token (such as the server's admin.conf), --token, or set CLAWBERNETES_API_KEY`);
      }
      const probe = new RestClient({ server: resolved.server, credential: resolved.credential, tls: resolved.tls });
      try {
        // The controllers read and write every kind and the Lease; refuse early, and say why, without those rights.
        await restLeaseClient(probe).get(DEFAULT_LEASE_NAME);
      } catch (err) {
        if (isApiError(err) && (err.code === 401 || err.code === 403)) {
          return fail(deps, err.code === 401 ? ExitCode.Unauthorized : ExitCode.Forbidden, `the credential from ${resolved.credential.source} cannot run the controllers (${err.message}); they need an admin credential (*:*)`);
        }
        deps.stderr(`warning: ${resolved.server} did not answer (${(err as Error).message}); retrying in the background`);
      } finally {
        await probe.close();
      }
      const logger = pino({ level: flags.logLevel, base: { component: "claw-controller-manager" } }, pino.destination(2));
      const identity = flags.identity ?? managerIdentity((n) => randomBytes(n));
      const running = startControllers({
        server: resolved.server,
        credential: resolved.credential,
        tls: resolved.tls,
        clock: deps.clock ?? systemClock,
        logger,
        identity,
        leaderElection: flags.leaderElect,
        controllers: controllerSetFor({ ...(flags.disableInactiveAfterDays !== undefined ? { disableInactiveAfterDays: flags.disableInactiveAfterDays } : {}) }).controllers,
        ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      });
      const notes = [...(flags.leaderElect ? ["leader election on"] : []), ...(flags.workers !== undefined ? [`${flags.workers} workers per controller`] : [])];
      deps.stdout(`claw controller-manager ${identity} running against ${resolved.server}${notes.length ? ` (${notes.join(", ")})` : ""}`);
      const signal = await (deps.shutdown ?? processSignal)();
      logger.info({ signal }, "shutting down");
      await running.stop();
    });
}

function parseDays(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_INACTIVE_DAYS)
    throw new InvalidArgumentError(`must be a whole number of days from 1 to ${MAX_INACTIVE_DAYS}, such as 90`);
  return Number(text);
}

function parseWorkers(text: string): number {
  const n = workersRead(/^\d+$/.test(text) ? Number(text) : text);
  if (n instanceof Refusal) throw new InvalidArgumentError(`must be ${n.allowed}, such as 8`);
  return n;
}

/** Says what is wrong and ends the command with a claw exit code. */
function fail(deps: ControllerManagerCommandDeps, code: number, message: string): never {
  deps.stderr(`error: ${message}`);
  throw new CommanderError(code, FAILED, message);
}

const processSignal = (): Promise<string> =>
  new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
