// The `claw server` command: flags, config, logging, signals.

import { Command, Option } from "commander";
import pino from "pino";
import { ConfigError, loadServerConfig } from "./server-config.js";
import { parseBooleanOption } from "./boolean-option.js";
import { controllersConfigOf, type ControllersConfig } from "./controllers-config.js";
import { runServer } from "./run-server.js";

export interface ServerCommandDeps {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  homeDir: string;
}

export function serverCommand(deps: ServerCommandDeps): Command {
  return new Command("server")
    .description("run the claw API server on the embedded store (default) or etcd; --config names gateway.toml")
    .option("--data-dir <dir>", "where the embedded store and admin.conf live (default ~/.claw)")
    .option("--listen <host:port>", "address to serve on (default 127.0.0.1:8080)")
    .option("--etcd-endpoints <urls>", "comma-separated etcd endpoints; omit to use the embedded store")
    .option("--controllers <true|false>", "run the controller manager in this process (default true; see 'claw controller-manager')", parseBooleanOption)
    .addOption(new Option("--log-level <level>", "log level").choices(["trace", "debug", "info", "warn", "error"]).default(deps.env.CLAW_LOG_LEVEL ?? "info"))
    .action(async (flags: { config?: string; dataDir?: string; listen?: string; etcdEndpoints?: string; controllers?: boolean; logLevel: string }, command: Command) => {
      // `claw --config` is the client config for every other verb; for `server` it names gateway.toml.
      const configFile = flags.config ?? command.parent?.opts<{ config?: string }>().config;
      let config;
      let controllers: ControllersConfig;
      try {
        config = loadServerConfig({ ...flags, ...(configFile ? { config: configFile } : {}) }, deps.homeDir);
        controllers = controllersConfigOf(config, flags.controllers);
      } catch (err) {
        if (err instanceof ConfigError) {
          deps.stderr(`error: ${err.message}`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
      const logger = pino({ level: flags.logLevel, base: { component: "claw-server" } }, pino.destination(2));
      let running;
      try {
        running = await runServer({ config, logger, announce: deps.stdout, controllersConfig: controllers });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const message =
          code === "EADDRINUSE" ? `${config.listen.host}:${config.listen.port} is already in use; stop the other server or pass --listen HOST:PORT`
          : code === "EACCES" ? `permission denied listening on ${config.listen.host}:${config.listen.port}; choose a port above 1023`
          : (err as Error).message;
        deps.stderr(`error: cannot start the server: ${message}`);
        process.exitCode = 1;
        return;
      }
      deps.stdout(`claw server listening on ${running.url}`);
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          logger.info({ signal }, "shutting down");
          void running.stop().then(resolve, resolve);
        };
        process.once("SIGTERM", () => shutdown("SIGTERM"));
        process.once("SIGINT", () => shutdown("SIGINT"));
      });
    });
}
