import { describe, expect, it } from "vitest";
import { BlocklistFirewall, blocklistSets, FirewallError, renderIptablesBlocklist, renderIptablesRemoval, renderNftBlocklist } from "./blocklist-firewall.js";
import { RecordingRunner } from "./testing/recording-runner.js";

describe("blocklistSets", () => {
  it.each([
    { name: "separates the families and writes each block canonically", cidrs: ["2001:DB8::/32", "203.0.113.7", "10.1.2.3/8"], v4: ["10.0.0.0/8", "203.0.113.7/32"], v6: ["2001:db8::/32"], refused: [] },
    { name: "folds a block inside a wider one, whichever comes first", cidrs: ["198.51.100.7", "198.51.100.0/24", "198.51.100.9/32"], v4: ["198.51.100.0/24"], v6: [], refused: [] },
    { name: "keeps the same block once", cidrs: ["203.0.113.7", "203.0.113.7/32"], v4: ["203.0.113.7/32"], v6: [], refused: [] },
    { name: "keeps neighbouring blocks apart", cidrs: ["10.0.0.128/25", "10.0.0.0/25"], v4: ["10.0.0.0/25", "10.0.0.128/25"], v6: [], refused: [] },
    { name: "reads an IPv4-mapped IPv6 address as IPv4", cidrs: ["::ffff:203.0.113.7"], v4: ["203.0.113.7/32"], v6: [], refused: [] },
    { name: "refuses what is not a CIDR block and keeps the rest", cidrs: ["203.0.113.7", "10.0.0.0/33", "evil; flush ruleset"], v4: ["203.0.113.7/32"], v6: [], refused: ["10.0.0.0/33", "evil; flush ruleset"] },
    { name: "is empty for no blocks", cidrs: [], v4: [], v6: [], refused: [] },
  ])("$name", ({ cidrs, v4, v6, refused }) => expect(blocklistSets(cidrs)).toEqual({ v4, v6, refused }));
});

const NFT_HEAD = `table inet claw_blocklist {
	set blocked_v4 {
		type ipv4_addr
		flags interval
	}
	set blocked_v6 {
		type ipv6_addr
		flags interval
	}
	chain input {
		type filter hook input priority filter - 10; policy accept;
	}
}
flush chain inet claw_blocklist input
add rule inet claw_blocklist input ip saddr @blocked_v4 drop
add rule inet claw_blocklist input ip6 saddr @blocked_v6 drop
flush set inet claw_blocklist blocked_v4
flush set inet claw_blocklist blocked_v6
`;

describe("the rendered rules", () => {
  it("nftables: declares the table, replaces the rules and refills both sets in one transaction", () => {
    expect(renderNftBlocklist(blocklistSets(["203.0.113.0/24", "198.51.100.7", "2001:db8:bad::/48"]))).toBe(
      `${NFT_HEAD}add element inet claw_blocklist blocked_v4 { 198.51.100.7/32, 203.0.113.0/24 }\nadd element inet claw_blocklist blocked_v6 { 2001:db8:bad::/48 }\n`,
    );
  });

  it("nftables: empties both sets for no blocks", () => expect(renderNftBlocklist(blocklistSets([]))).toBe(NFT_HEAD));

  it("iptables: empties the chain, moves its jump to the top of INPUT and drops each block", () => {
    expect(renderIptablesBlocklist(["198.51.100.7/32", "203.0.113.0/24"], 1)).toBe(
      "*filter\n:CLAW-BLOCKLIST - [0:0]\n-D INPUT -j CLAW-BLOCKLIST\n-I INPUT 1 -j CLAW-BLOCKLIST\n-A CLAW-BLOCKLIST -s 198.51.100.7/32 -j DROP\n-A CLAW-BLOCKLIST -s 203.0.113.0/24 -j DROP\nCOMMIT\n",
    );
  });

  it("iptables: adds the jump the first time, with no delete", () => {
    expect(renderIptablesBlocklist([], 0)).toBe("*filter\n:CLAW-BLOCKLIST - [0:0]\n-I INPUT 1 -j CLAW-BLOCKLIST\nCOMMIT\n");
  });

  it("iptables: removes every jump and the chain", () => {
    expect(renderIptablesRemoval(2)).toBe("*filter\n:CLAW-BLOCKLIST - [0:0]\n-D INPUT -j CLAW-BLOCKLIST\n-D INPUT -j CLAW-BLOCKLIST\n-X CLAW-BLOCKLIST\nCOMMIT\n");
  });
});

describe("BlocklistFirewall", () => {
  it("nftables: runs one nft -f - with the rules on its input", async () => {
    const runner = new RecordingRunner();
    expect(await new BlocklistFirewall({ backend: "nftables", runner }).apply(["203.0.113.7"])).toEqual({ v4: 1, v6: 0, refused: [] });
    expect(runner.calls).toEqual([{ file: "nft", args: ["-f", "-"], input: renderNftBlocklist(blocklistSets(["203.0.113.7"])) }]);
  });

  it("iptables: counts the jumps INPUT has, then restores each family without flushing the rest", async () => {
    const runner = new RecordingRunner()
      .answer("iptables -w -S INPUT", { stdout: "-P INPUT ACCEPT\n-A INPUT -j CLAW-BLOCKLIST\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" })
      .answer("ip6tables -w -S INPUT", { stdout: "-P INPUT ACCEPT\n" });
    await new BlocklistFirewall({ backend: "iptables", runner }).apply(["203.0.113.7", "2001:db8::/32"]);
    expect(runner.lines()).toEqual(["iptables -w -S INPUT", "iptables-restore -w --noflush", "ip6tables -w -S INPUT", "ip6tables-restore -w --noflush"]);
    expect(runner.calls[1]!.input).toBe(renderIptablesBlocklist(["203.0.113.7/32"], 1));
    expect(runner.calls[3]!.input).toBe(renderIptablesBlocklist(["2001:db8::/32"], 0));
  });

  it("nftables: removes the table, declared first so it may be absent", async () => {
    const runner = new RecordingRunner();
    await new BlocklistFirewall({ backend: "nftables", runner }).remove();
    expect(runner.calls).toEqual([{ file: "nft", args: ["-f", "-"], input: "table inet claw_blocklist\ndelete table inet claw_blocklist\n" }]);
  });

  it.each([
    { name: "nft is missing", backend: "nftables" as const, runner: () => new RecordingRunner().missing("nft"), message: 'cannot replace the blocklist: nft is not installed; install it (Debian: apt-get install nftables) or set [network.firewall] backend = "iptables"' },
    { name: "iptables is missing", backend: "iptables" as const, runner: () => new RecordingRunner().missing("iptables"), message: 'cannot list INPUT: iptables is not installed; install it (Debian: apt-get install iptables) or set [network.firewall] backend = "nftables"' },
    { name: "nft refuses the rules", backend: "nftables" as const, runner: () => new RecordingRunner().answer("nft", { code: 1, stderr: "Error: Could not process rule: Operation not permitted\n" }), message: "cannot replace the blocklist: nft: Error: Could not process rule: Operation not permitted" },
  ])("fails clearly when $name", async ({ backend, runner, message }) => {
    const err: unknown = await new BlocklistFirewall({ backend, runner: runner() }).apply(["203.0.113.7"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FirewallError);
    expect((err as Error).message).toBe(message);
  });
});
