// `claw config kubeconfig`: a kubeconfig with which kubectl reaches the same server with the same credential.

import type { Command } from "commander";
import { runAction } from "../cli-action.js";
import type { CliSession } from "../cli-session.js";
import { buildKubeconfig, serializeKubeconfig, type Kubeconfig } from "../config/kubeconfig.js";
import type { ResolvedClientConfig } from "../config/client-config.js";

export function addConfigCommand(program: Command, session: CliSession): void {
  const config = program.command("config").description("show the client configuration");
  config
    .command("kubeconfig")
    .description("print a kubeconfig (with the credential) that kubectl can use as it is: claw config kubeconfig > claw.kubeconfig")
    .option("--name <name>", "the name of its cluster, user and context", "claw")
    .action(
      runAction(session, async (flags: { name: string }) => {
        const resolved = await session.config();
        if (!resolved.credential) {
          session.err("warning: no credential was found, so the kubeconfig has none; kubectl will be refused until one is added");
        }
        session.out(serializeKubeconfig(kubeconfigFor(resolved, flags.name)));
      }),
    );
}

/** The resolved server, TLS material and credential, with every file inlined so the output stands alone. */
export function kubeconfigFor(resolved: ResolvedClientConfig, name = "claw"): Kubeconfig {
  const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64");
  return buildKubeconfig({
    name,
    server: resolved.server,
    ...(resolved.credential ? { token: resolved.credential.value } : {}),
    cluster: {
      ...(resolved.tls.ca ? { "certificate-authority-data": b64(resolved.tls.ca) } : {}),
      ...(resolved.tls.insecureSkipVerify ? { "insecure-skip-tls-verify": true } : {}),
      ...(resolved.tls.serverName ? { "tls-server-name": resolved.tls.serverName } : {}),
    },
    credentials: {
      ...(resolved.tls.cert ? { "client-certificate-data": b64(resolved.tls.cert) } : {}),
      ...(resolved.tls.key ? { "client-key-data": b64(resolved.tls.key) } : {}),
    },
  });
}
