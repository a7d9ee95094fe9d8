// `claw version [--client] [-o yaml|json]`

import type { Command } from "commander";
import YAML from "yaml";
import type { VersionInfo } from "../../../api/client/api-types.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { clientVersion } from "../client-version.js";

export function addVersionCommand(program: Command, session: CliSession): void {
  program
    .command("version")
    .description("print the client version and the version of the server it reaches")
    .option("--client", "only the client version (no server needed)")
    .option("-o, --output <format>", "yaml or json")
    .action(
      runAction(session, async (flags: { client?: boolean; output?: string }) => {
        if (flags.output !== undefined && flags.output !== "yaml" && flags.output !== "json") {
          throw new UsageError(`unknown output format "${flags.output}"; use yaml or json`);
        }
        const client = session.deps.version ?? clientVersion();
        const clientInfo = { gitVersion: client };
        let server: VersionInfo | undefined;
        let failure: unknown;
        if (!flags.client) {
          try {
            server = await (await session.client()).version({ signal: session.deps.signal });
          } catch (err) {
            failure = err;
          }
        }
        if (flags.output) {
          const value = { clientVersion: clientInfo, ...(server ? { serverVersion: server } : {}) };
          session.out(flags.output === "json" ? `${JSON.stringify(value, null, 2)}\n` : YAML.stringify(value));
        } else {
          session.out(`Client Version: ${client}\n${server ? `Server Version: ${server.gitVersion}\n` : ""}`);
        }
        if (failure) throw failure;
      }),
    );
}
