// The guide's Tailscale mesh: `tailscale up` with the auth key from the environment variable clawnode.toml
// names, then the node's tailnet address. The key goes to tailscale only as a file (--auth-key=file:PATH,
// mode 0600 in a private folder, deleted at once): never in an argument, which any user can read in /proc,
// nor in a log or the message returned.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseIp } from "../../api/machinery/ip-address.js";
import { isCommandNotFound, which, type CommandResult, type CommandRunner } from "./command-runner.js";
import type { TailscaleConfig } from "./node-config.js";

export type TailscaleResult = { state: "up"; address: string } | { state: "missing" | "failed"; message: string };

export interface TailscaleUpOptions {
  /** The node's name: the Tailscale host name, after hostname_prefix and a '-'. */
  nodeName: string;
  config: TailscaleConfig;
  /** The agent's environment: PATH finds tailscale, and the variable auth_key_env names holds the key. */
  env: Record<string, string | undefined>;
  runner: CommandRunner;
  /** Where the key's file is written for the moment tailscale reads it (default: the system's temporary folder). */
  tempDir?: string;
}

export const TAILSCALE_MISSING =
  'Tailscale is not installed (no tailscale on the PATH): install it from https://tailscale.com/download (Debian: add the pkgs.tailscale.com apt repository, then apt-get install tailscale), or set [network] provider = "wireguard" in clawnode.toml';

/** The `tailscale up` arguments, the key's file aside. */
export function tailscaleUpArgs(opts: { keyFile: string; nodeName: string; config: TailscaleConfig }): string[] {
  const { hostnamePrefix, tags } = opts.config;
  return [
    "up",
    `--auth-key=file:${opts.keyFile}`,
    `--hostname=${hostnamePrefix === undefined ? opts.nodeName : `${hostnamePrefix}-${opts.nodeName}`}`,
    ...(tags.length > 0 ? [`--advertise-tags=${tags.join(",")}`] : []),
  ];
}

export async function tailscaleUp(opts: TailscaleUpOptions): Promise<TailscaleResult> {
  const tailscale = which("tailscale", opts.env.PATH);
  if (tailscale === undefined) return { state: "missing", message: TAILSCALE_MISSING };
  const variable = opts.config.authKeyEnv;
  const key = opts.env[variable];
  if (key === undefined || key.trim() === "")
    return {
      state: "failed",
      message: `the environment variable ${variable} (clawnode.toml [network.tailscale] auth_key_env) is ${key === undefined ? "not set" : "empty"}: put the Tailscale auth key in the agent's environment, such as ${variable}=tskey-… in its service's environment file`,
    };
  // Whatever tailscale prints goes into the message: take the key out of it, should tailscale ever echo it.
  const redact = (text: string) => text.split(key.trim()).join("[auth key]");
  const told = (answer: CommandResult) => redact(answer.stderr.trim() || answer.stdout.trim() || `exit code ${answer.code}`).replace(/\s*\n\s*/g, "; ");
  try {
    const dir = await mkdtemp(join(opts.tempDir ?? tmpdir(), "clawnode-tailscale-"));
    let up: CommandResult;
    try {
      const keyFile = join(dir, "auth-key");
      await writeFile(keyFile, key.trim(), { mode: 0o600, flag: "wx" });
      up = await opts.runner.run(tailscale, tailscaleUpArgs({ keyFile, nodeName: opts.nodeName, config: opts.config }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    if (up.code !== 0) return { state: "failed", message: `tailscale up failed: ${told(up)}` };
    const ip = await opts.runner.run(tailscale, ["ip", "-4"]);
    const address = ip.stdout.split("\n")[0]?.trim() ?? "";
    if (ip.code !== 0) return { state: "failed", message: `tailscale is up but tailscale ip -4 failed: ${told(ip)}` };
    if (parseIp(address)?.family !== 4) return { state: "failed", message: "tailscale is up but tailscale ip -4 gave no IPv4 address" };
    return { state: "up", address };
  } catch (err) {
    if (isCommandNotFound(err)) return { state: "missing", message: TAILSCALE_MISSING };
    return { state: "failed", message: `cannot run tailscale up: ${redact((err as Error).message)}` };
  }
}
