// `claw security firewall` end to end against the real API server (test/envtest.ts): active BlockRules become
// drops, expired ones do not; the API port comes from gateway.toml; no rules print without the blocklist.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../api/machinery/clock.js";
import type { BlockRule } from "../../../api/types/block-rule.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const RULES = "/apis/security.clawbernetes.com/v1/blockrules";
const HOUR = 3_600_000;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: CliHarness;

const claw = (...args: string[]) => admin.run(args);
const createRule = async (name: string, spec: NonNullable<BlockRule["spec"]>) => {
  const res = await env.request(RULES, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name }, spec } });
  expect(res.status).toBe(201);
};
const gatewayToml = async (name: string, text: string) => {
  const file = join(admin.homeDir, name);
  await writeFile(file, text);
  return file;
};

beforeAll(async () => {
  env = await startEnvTest({ clock });
  admin = await CliHarness.create(clock);
  await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
  await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  await createRule("block-203-0-113-42", { cidr: "203.0.113.42", reason: 'Suspicious "activity"\n; drop table', source: "manual" });
  await createRule("block-2001-0db8-0bad-0000-0000-0000-0000-0000-48", { cidr: "2001:db8:bad::/48", reason: "abuse", duration: "24h", source: "manual" });
  await createRule("block-198-51-100-0-24", { cidr: "198.51.100.0/24", reason: "scanner network", duration: "1h", source: "manual" });
  clock.step(2 * HOUR); // the /24's hour is over
});
afterAll(async () => {
  await admin?.dispose();
  await env?.stop();
});

describe("claw security firewall", () => {
  it("drops the active BlockRules and not the expired one, in an nft table", async () => {
    const run = await claw("security", "firewall", "--format", "nftables");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain('\t\t\t203.0.113.42 comment "block-203-0-113-42: Suspicious activity drop table"\n');
    expect(run.stdout).toContain('\t\t\t2001:db8:bad::/48 comment "block-2001-0db8-0bad-0000-0000-0000-0000-0000-48: abuse"\n');
    expect(run.stdout).not.toContain("198.51.100.0");
    expect(run.stdout).toContain('\t\ttcp dport 8080 accept comment "claw API and WebSocket (nodes and CLI)"\n');
    expect(run.stdout).not.toMatch(/dport (443|51820)/);
  });

  it("prints an iptables-restore script by default, with the blocks in their family's ruleset", async () => {
    const run = await claw("security", "firewall");
    expect(run.code).toBe(0);
    const [v4, v6] = run.stdout.split("ip6tables-restore <<'EOF'");
    expect(v4).toContain('-A INPUT -s 203.0.113.42 -m comment --comment "block-203-0-113-42: Suspicious activity drop table" -j DROP\n');
    expect(v6).toContain('-A INPUT -s 2001:db8:bad::/48 -m comment --comment "block-2001-0db8-0bad-0000-0000-0000-0000-0000-48: abuse" -j DROP\n');
    expect(run.stdout).not.toContain("198.51.100.0");
  });

  it.each([
    { name: "takes the API port from [server] listen", toml: '[server]\nlisten = "0.0.0.0:9443"\n', flags: [], want: ["tcp dport 9443 accept"] },
    { name: "takes it from an IPv6 listen address", toml: '[server]\nlisten = "[::]:7443"\n', flags: [], want: ["tcp dport 7443 accept"] },
    { name: "uses 8080 when [server] has no listen", toml: "[store]\n", flags: [], want: ["tcp dport 8080 accept"] },
    { name: "opens WireGuard's 51820 with --mesh", toml: "", flags: ["--mesh"], want: ['udp dport 51820 accept comment "WireGuard mesh"'] },
    { name: "opens another WireGuard port with --wireguard-port", toml: "", flags: ["--wireguard-port", "51821"], want: ["udp dport 51821 accept"] },
    { name: "opens HTTPS with --dashboard-port", toml: "", flags: ["--dashboard-port", "443"], want: ['tcp dport 443 accept comment "HTTPS (dashboard)"'] },
  ])("$name", async ({ toml, flags, want }) => {
    const file = await gatewayToml("gateway.toml", toml);
    const run = await claw("security", "firewall", "--format", "nftables", "--config", file, ...flags);
    expect(run.code).toBe(0);
    for (const line of want) expect(run.stdout).toContain(line);
  });

  it("still reads the gateway config given as --gateway-config", async () => {
    const file = await gatewayToml("gateway.toml", '[server]\nlisten = "0.0.0.0:9443"\n');
    const run = await claw("security", "firewall", "--format", "nftables", "--gateway-config", file);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tcp dport 9443 accept");
  });

  it("keeps claw's --config before the subcommand as the kubeconfig that finds the server", async () => {
    const file = await gatewayToml("gateway.toml", '[server]\nlisten = "0.0.0.0:9443"\n');
    const run = await claw("--config", join(admin.homeDir, ".claw", "config"), "security", "firewall", "--format", "nftables", "--config", file);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tcp dport 9443 accept");
    expect(run.stdout).toContain("203.0.113.42 comment");
  });

  it.each([
    { name: "a missing gateway config", args: ["--config", "/nonexistent/gateway.toml"], message: "cannot read the gateway config /nonexistent/gateway.toml: ENOENT" },
    { name: "--config and --gateway-config naming different files", args: ["--config", "/etc/a.toml", "--gateway-config", "/etc/b.toml"], message: '--config and --gateway-config are one option: give one file, not both "/etc/a.toml" and "/etc/b.toml"' },
    { name: "a listen that is not HOST:PORT", toml: '[server]\nlisten = "8080"\n', message: '[server] listen: "8080" is not HOST:PORT' },
    { name: "a gateway config that is not TOML", toml: "[server\n", message: "is not valid TOML at line 1" },
    { name: "an unknown format", args: ["--format", "pf"], message: '--format must be iptables or nftables, not "pf"' },
    { name: "a port out of range", args: ["--wireguard-port", "70000"], message: '--wireguard-port must be a port from 1 to 65535, not "70000"' },
  ])("refuses $name with exit 2 and no rules", async ({ args, toml, message }) => {
    const extra = toml === undefined ? [] : ["--config", await gatewayToml("bad.toml", toml)];
    const run = await claw("security", "firewall", ...(args ?? []), ...extra);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("prints no rules when the server cannot be reached, and says how to go without the blocklist", async () => {
    const run = await claw("--server", "http://127.0.0.1:1", "security", "firewall");
    expect(run.code).toBe(ExitCode.Unreachable);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("cannot reach the claw server at http://127.0.0.1:1");
    expect(run.stderr).toContain("pass --no-blocklist");
  });

  it("prints the rules without any block, asking no server, with --no-blocklist", async () => {
    const run = await claw("--server", "http://127.0.0.1:1", "security", "firewall", "--format", "nftables", "--no-blocklist");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("--no-blocklist: the rules drop no BlockRule's addresses");
    expect(run.stdout).not.toContain("elements");
    expect(run.stdout).toContain("tcp dport 8080 accept");
  });
});
