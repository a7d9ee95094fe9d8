// The node's kernel drop list kept equal to the gateway's Blocklist ([network.firewall] enforce_blocklist):
// with nftables, one table of its own whose sets are flushed and refilled in one `nft -f -` transaction; with
// iptables, a chain CLAW-BLOCKLIST jumped to first from INPUT, replaced by one iptables-restore --noflush per
// family. Either way a block drops everything from the source, established connections too, and touches no
// other rule on the host. The rules are rendered by pure functions below; the class only runs them.

import { cidrContains, parseCidr, type Cidr } from "../../api/machinery/ip-address.js";
import { isCommandNotFound, type CommandResult, type CommandRunner } from "./command-runner.js";
import type { FirewallBackend } from "./node-config.js";

export const NFT_TABLE = "inet claw_blocklist";
export const IPTABLES_CHAIN = "CLAW-BLOCKLIST";
/** Before the usual filter hook (priority 0), so the host's own rules never accept a blocked source first. */
const NFT_PRIORITY = "filter - 10";

/** The blocks by family, canonical and in address order, a block inside another folded into it; what is not a CIDR, refused. */
export interface BlocklistSets {
  v4: string[];
  v6: string[];
  refused: string[];
}

export function blocklistSets(cidrs: readonly string[]): BlocklistSets {
  const parsed: Cidr[] = [];
  const refused: string[] = [];
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (cidr) parsed.push(cidr);
    else refused.push(text);
  }
  parsed.sort(compareCidr);
  const sets: BlocklistSets = { v4: [], v6: [], refused };
  let last: Cidr | undefined;
  for (const cidr of parsed) {
    // Sorted by start, wider first: a block inside an earlier one is inside the last one kept (nft refuses overlaps).
    if (last && cidrContains(last, cidr)) continue;
    last = cidr;
    (cidr.family === 4 ? sets.v4 : sets.v6).push(cidr.text);
  }
  return sets;
}

function compareCidr(x: Cidr, y: Cidr): number {
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return (x.bytes[i] ?? 0) - (y.bytes[i] ?? 0);
  return x.prefix - y.prefix;
}

/** One nft transaction: the table, sets and chain declared (harmless when they exist), the rules and both sets replaced. */
export function renderNftBlocklist(sets: BlocklistSets): string {
  const elements = (set: string, cidrs: readonly string[]) => (cidrs.length === 0 ? [] : [`add element ${NFT_TABLE} ${set} { ${cidrs.join(", ")} }`]);
  return [
    `table ${NFT_TABLE} {`,
    "\tset blocked_v4 {",
    "\t\ttype ipv4_addr",
    "\t\tflags interval",
    "\t}",
    "\tset blocked_v6 {",
    "\t\ttype ipv6_addr",
    "\t\tflags interval",
    "\t}",
    "\tchain input {",
    `\t\ttype filter hook input priority ${NFT_PRIORITY}; policy accept;`,
    "\t}",
    "}",
    // Declaring a chain with rules would add them again on every update: flush, then add them once.
    `flush chain ${NFT_TABLE} input`,
    `add rule ${NFT_TABLE} input ip saddr @blocked_v4 drop`,
    `add rule ${NFT_TABLE} input ip6 saddr @blocked_v6 drop`,
    `flush set ${NFT_TABLE} blocked_v4`,
    `flush set ${NFT_TABLE} blocked_v6`,
    ...elements("blocked_v4", sets.v4),
    ...elements("blocked_v6", sets.v6),
    "",
  ].join("\n");
}

/** Declaring the table first lets the delete succeed when there is none. */
export const NFT_REMOVAL = `table ${NFT_TABLE}\ndelete table ${NFT_TABLE}\n`;

/**
 * One family's iptables-restore --noflush input: the chain declared (which empties it when it exists), the
 * `jumps` jumps INPUT has to it now deleted and one inserted first, and a DROP for each block.
 */
export function renderIptablesBlocklist(cidrs: readonly string[], jumps: number): string {
  return [
    "*filter",
    `:${IPTABLES_CHAIN} - [0:0]`,
    ...Array.from({ length: jumps }, () => `-D INPUT -j ${IPTABLES_CHAIN}`),
    `-I INPUT 1 -j ${IPTABLES_CHAIN}`,
    ...cidrs.map((cidr) => `-A ${IPTABLES_CHAIN} -s ${cidr} -j DROP`),
    "COMMIT",
    "",
  ].join("\n");
}

/** Removes the jumps and the chain; declaring the chain first lets -X succeed when there is none. */
export function renderIptablesRemoval(jumps: number): string {
  return ["*filter", `:${IPTABLES_CHAIN} - [0:0]`, ...Array.from({ length: jumps }, () => `-D INPUT -j ${IPTABLES_CHAIN}`), `-X ${IPTABLES_CHAIN}`, "COMMIT", ""].join("\n");
}

export class FirewallError extends Error {
  override name = "FirewallError";
}

const FAMILIES = [
  { family: 4, list: "iptables", restore: "iptables-restore" },
  { family: 6, list: "ip6tables", restore: "ip6tables-restore" },
] as const;

export class BlocklistFirewall {
  constructor(private readonly deps: { backend: FirewallBackend; runner: CommandRunner }) {}

  /** Makes the kernel drop exactly these sources; an entry that is not a CIDR is left out and returned. */
  async apply(cidrs: readonly string[]): Promise<{ v4: number; v6: number; refused: string[] }> {
    const sets = blocklistSets(cidrs);
    if (this.deps.backend === "nftables") await this.run("nft", ["-f", "-"], renderNftBlocklist(sets), "replace the blocklist");
    else
      for (const { family, list, restore } of FAMILIES)
        await this.run(restore, ["-w", "--noflush"], renderIptablesBlocklist(family === 4 ? sets.v4 : sets.v6, await this.jumps(list)), "replace the blocklist");
    return { v4: sets.v4.length, v6: sets.v6.length, refused: sets.refused };
  }

  /** Takes the blocklist out of the kernel; nothing to do when it is not there. */
  async remove(): Promise<void> {
    if (this.deps.backend === "nftables") await this.run("nft", ["-f", "-"], NFT_REMOVAL, "remove the blocklist");
    else for (const { list, restore } of FAMILIES) await this.run(restore, ["-w", "--noflush"], renderIptablesRemoval(await this.jumps(list)), "remove the blocklist");
  }

  /** How many rules of INPUT jump to the chain now. */
  private async jumps(list: string): Promise<number> {
    const answer = await this.run(list, ["-w", "-S", "INPUT"], undefined, "list INPUT");
    return answer.stdout.split("\n").filter((line) => line.trim() === `-A INPUT -j ${IPTABLES_CHAIN}`).length;
  }

  private async run(file: string, args: string[], input: string | undefined, what: string): Promise<CommandResult> {
    let answer: CommandResult;
    try {
      answer = await this.deps.runner.run(file, args, input === undefined ? {} : { input });
    } catch (err) {
      if (!isCommandNotFound(err)) throw err;
      const other = this.deps.backend === "nftables" ? "iptables" : "nftables";
      const install = this.deps.backend === "nftables" ? "nftables" : "iptables";
      throw new FirewallError(`cannot ${what}: ${file} is not installed; install it (Debian: apt-get install ${install}) or set [network.firewall] backend = "${other}"`);
    }
    if (answer.code !== 0) throw new FirewallError(`cannot ${what}: ${file}: ${answer.stderr.trim().replace(/\s*\n\s*/g, "; ") || `exit code ${answer.code}`}`);
    return answer;
  }
}
