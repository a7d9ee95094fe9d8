// renderFirewall against golden files, hostile comments, folding of blocks, and — where nft and iptables-restore
// are installed — their own parsers in check mode (nft -c, iptables-restore --test; nothing is ever applied).

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findExecutable } from "../../hack/testing/required-tool.js";
import { blockedSets, firewallComment, renderFirewall, type FirewallFormat, type FirewallInput } from "./firewall-rules.js";

const HOSTILE = '\\"; drop table inet clawbernetes; `id` $(id) #"\n-A INPUT -j ACCEPT\nCOMMIT\nEOF\n';

const firewallInput = (...mods: ((input: FirewallInput) => FirewallInput)[]): FirewallInput => mods.reduce((input, mod) => mod(input), { apiPort: 8080, blocked: [] } as FirewallInput);
const withGuidePorts = (input: FirewallInput): FirewallInput => ({ ...input, dashboardPort: 443, wireguardPort: 51820 });
const withBlocks = (input: FirewallInput): FirewallInput => ({
  ...input,
  blocked: [
    { cidr: "2001:DB8:0:0::1", comment: "auto-2001-0db8-0000-0000-0000-0000-0000-0001: auto-block: 5 violations" },
    { cidr: "203.0.113.42", comment: "block-203-0-113-42: Suspicious activity" },
    { cidr: "198.51.100.7", comment: "block-198-51-100-7: one host of the scanner network" },
    { cidr: "198.51.100.0/24", comment: "block-198-51-100-0-24: scanner network" },
    { cidr: "2001:db8:bad::/48", comment: `block-2001-0db8-0bad-0000-0000-0000-0000-0000-48: ${HOSTILE}` },
    { cidr: "::ffff:192.0.2.10", comment: "block-192-0-2-10: an IPv4-mapped spelling" },
  ],
});

const GOLDEN: { name: string; input: FirewallInput; format: FirewallFormat; file: string }[] = [
  { name: "the guide's gateway with IPv4 and IPv6 blocks and a hostile reason, for iptables-restore", input: firewallInput(withGuidePorts, withBlocks), format: "iptables", file: "guide-gateway.iptables.sh" },
  { name: "the guide's gateway with IPv4 and IPv6 blocks and a hostile reason, for nft", input: firewallInput(withGuidePorts, withBlocks), format: "nftables", file: "guide-gateway.nftables.nft" },
  { name: "the API port alone and no blocks, for iptables-restore", input: firewallInput((i) => ({ ...i, apiPort: 9443 })), format: "iptables", file: "api-only.iptables.sh" },
  { name: "the API port alone and no blocks, for nft", input: firewallInput((i) => ({ ...i, apiPort: 9443 })), format: "nftables", file: "api-only.nftables.nft" },
];

describe("renderFirewall", () => {
  it.each(GOLDEN)("renders $name as in testdata/firewall/$file", async ({ input, format, file }) => {
    await expect(renderFirewall(input, format)).toMatchFileSnapshot(join("testdata", "firewall", file));
  });

  it.each(GOLDEN)("keeps a hostile reason inside one quoted comment: $name", ({ input, format }) => {
    const lines = renderFirewall(input, format).split("\n");
    for (const line of lines) expect(line.split('"').length % 2, line).toBe(1);
    expect(lines.filter((line) => line === "EOF")).toHaveLength(format === "iptables" ? 2 : 0);
    expect(lines.filter((line) => line.startsWith("COMMIT") || line.startsWith("-A INPUT -j ACCEPT"))).toEqual(format === "iptables" ? ["COMMIT", "COMMIT"] : []);
    expect(lines.filter((line) => /drop table/.test(line)).every((line) => /comment "[^"]*drop table[^"]*"/.test(line))).toBe(true);
  });

  it("throws on a block that is not an address, which the command never passes", () => {
    expect(() => renderFirewall(firewallInput((i) => ({ ...i, blocked: [{ cidr: "example.com", comment: "x" }] })), "nftables")).toThrow('"example.com" is not');
  });
});

describe("firewallComment", () => {
  it.each([
    { name: "keeps a plain name and reason", text: "block-203-0-113-42: Suspicious activity", want: "block-203-0-113-42: Suspicious activity" },
    { name: "turns quotes, semicolons and newlines into single spaces", text: 'a "b";\n\r\tc', want: "a b c" },
    { name: "drops backslashes, backticks, dollars and hashes", text: "x\\y`z`$(id)#", want: "x y z (id)" },
    { name: "drops what is not ASCII", text: "café ☕ ok", want: "caf ok" },
    { name: "cuts a long reason to 120 characters", text: "x".repeat(300), want: `${"x".repeat(117)}...` },
    { name: "leaves nothing of punctuation alone", text: '";"', want: "" },
  ])("$name", ({ text, want }) => {
    expect(firewallComment(text)).toBe(want);
  });
});

describe("blockedSets", () => {
  it.each([
    {
      name: "folds a host inside a network into the network's entry",
      blocked: [{ cidr: "10.1.2.3", comment: "host" }, { cidr: "10.0.0.0/8", comment: "net" }],
      want: { v4: [{ cidr: "10.0.0.0/8", comment: "net, host" }], v6: [] },
    },
    {
      name: "folds the same block spelled twice and says each comment once",
      blocked: [{ cidr: "2001:db8::1", comment: "same" }, { cidr: "2001:DB8:0::1/128", comment: "same" }],
      want: { v4: [], v6: [{ cidr: "2001:db8::1", comment: "same" }] },
    },
    {
      name: "canonicalizes host bits and IPv4-mapped IPv6, and orders by address",
      blocked: [{ cidr: "198.51.100.9/24", comment: "b" }, { cidr: "::ffff:192.0.2.1", comment: "a" }],
      want: { v4: [{ cidr: "192.0.2.1", comment: "a" }, { cidr: "198.51.100.0/24", comment: "b" }], v6: [] },
    },
    {
      name: "keeps neighbouring blocks apart",
      blocked: [{ cidr: "10.0.0.0/9", comment: "low" }, { cidr: "10.128.0.0/9", comment: "high" }],
      want: { v4: [{ cidr: "10.0.0.0/9", comment: "low" }, { cidr: "10.128.0.0/9", comment: "high" }], v6: [] },
    },
  ])("$name", ({ blocked, want }) => {
    expect(blockedSets(blocked)).toEqual(want);
  });
});

// The tools live in sbin, which findExecutable's defaults do not search.
const toolEnv = { ...process.env, PATH: [process.env.PATH ?? "", "/usr/sbin", "/sbin", "/usr/local/sbin"].join(delimiter) };
const scratch = mkdtempSync(join(tmpdir(), "claw-firewall-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a tool in check mode; undefined when it accepted the input, else what it said. */
function check(path: string, args: string[], input: string): string | undefined {
  const run = spawnSync(path, args, { input, encoding: "utf8", timeout: 10_000 });
  return run.status === 0 ? undefined : `${path} exited ${run.status}: ${run.stderr}${run.error?.message ?? ""}`;
}

/** A tool that is installed and can check a trivial ruleset here (it needs root and netlink); else why not. */
function usableTool(name: string, install: string, probe: (path: string) => string | undefined): { path?: string; reason?: string } {
  const path = findExecutable(name, toolEnv);
  if (!path) return { reason: `${name} not found (${install})` };
  const failed = probe(path);
  return failed ? { reason: `${name} cannot check rules on this machine: ${failed.trim()}` } : { path };
}

let written = 0;
const nftFile = (text: string) => {
  const file = join(scratch, `rules-${written++}.nft`);
  writeFileSync(file, text);
  return file;
};
const restoreSection = (script: string, command: string) => {
  const start = script.indexOf(`${command} <<'EOF'\n`);
  return script.slice(script.indexOf("\n", start) + 1, script.indexOf("\nEOF\n", start) + 1);
};
const TRIVIAL = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";

const nft = usableTool("nft", "apt-get install nftables", (path) => check(path, ["-c", "-f", nftFile("table inet claw_probe {\n}\n")], ""));
const iptables = usableTool("iptables-restore", "apt-get install iptables", (path) => check(path, ["--test"], TRIVIAL));
const ip6tables = usableTool("ip6tables-restore", "apt-get install iptables", (path) => check(path, ["--test"], TRIVIAL));
for (const tool of [nft, iptables, ip6tables]) if (tool.reason) console.warn(`skipping firewall checks: ${tool.reason}`);

describe("the tools' own parsers accept the output (check mode only)", () => {
  const cases = GOLDEN.map(({ name, input, format }) => ({ name, text: renderFirewall(input, format), format }));

  it.skipIf(!nft.path).each(cases.filter((c) => c.format === "nftables"))("nft -c -f accepts $name", ({ text }) => {
    expect(check(nft.path ?? "nft", ["-c", "-f", nftFile(text)], "")).toBeUndefined();
  });
  it.skipIf(!iptables.path).each(cases.filter((c) => c.format === "iptables"))("iptables-restore --test accepts the IPv4 part of $name", ({ text }) => {
    expect(check(iptables.path ?? "iptables-restore", ["--test"], restoreSection(text, "iptables-restore"))).toBeUndefined();
  });
  it.skipIf(!ip6tables.path).each(cases.filter((c) => c.format === "iptables"))("ip6tables-restore --test accepts the IPv6 part of $name", ({ text }) => {
    expect(check(ip6tables.path ?? "ip6tables-restore", ["--test"], restoreSection(text, "ip6tables-restore"))).toBeUndefined();
  });
});
