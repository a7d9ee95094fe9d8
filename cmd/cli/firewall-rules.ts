// The gateway's host firewall as the guide's "Firewall Rules" recommend it, rendered for iptables-restore or
// nft -f from what `claw security firewall` gathered: the ports in use and the active BlockRules. Pure.

import { cidrContains, parseCidr, shortCidrText, type Cidr } from "../../api/machinery/ip-address.js";

export const FIREWALL_FORMATS = ["iptables", "nftables"] as const;
export type FirewallFormat = (typeof FIREWALL_FORMATS)[number];

/** A source to drop: a BlockRule's block, and what the rule says about it (hostile text: it is sanitized here). */
export interface BlockedSource {
  cidr: string;
  comment: string;
}

export interface FirewallInput {
  /** The API and WebSocket port (gateway.toml [server] listen). */
  apiPort: number;
  /** HTTPS for a dashboard, when one is served. */
  dashboardPort?: number;
  /** WireGuard's UDP port, when the mesh is on. */
  wireguardPort?: number;
  /** Active blocks, IPv4 and IPv6 in any order; the renderer separates and canonicalizes them. */
  blocked: readonly BlockedSource[];
}

/** One entry of a blocked set: a canonical block and the comments of every rule it covers. */
export interface BlockedEntry {
  cidr: string;
  comment: string;
}

/** nft keeps at most 128 bytes of an element's comment; iptables' comment match 255. */
const MAX_COMMENT = 120;
/** ICMPv6 that IPv6 cannot work without (RFC 4890): errors, path MTU and neighbour discovery; [iptables, nft] names. */
const ICMPV6_TYPES: readonly (readonly [string, string])[] = [
  ["destination-unreachable", "destination-unreachable"],
  ["packet-too-big", "packet-too-big"],
  ["time-exceeded", "time-exceeded"],
  ["parameter-problem", "parameter-problem"],
  ["router-advertisement", "nd-router-advert"],
  ["neighbour-solicitation", "nd-neighbor-solicit"],
  ["neighbour-advertisement", "nd-neighbor-advert"],
];

export function renderFirewall(input: FirewallInput, format: FirewallFormat): string {
  const blocked = blockedSets(input.blocked);
  return format === "iptables" ? renderIptablesScript(input, blocked) : renderNftables(input, blocked);
}

/**
 * Text safe inside a double-quoted comment of iptables-restore and nft: letters, digits, spaces and plain
 * punctuation; quotes, backslashes, semicolons, `#`, control characters and everything else become spaces.
 */
export function firewallComment(text: string): string {
  const clean = text.replace(/[^A-Za-z0-9 _.,:/@()+=-]+/g, " ").replace(/ {2,}/g, " ").trim();
  return clean.length > MAX_COMMENT ? `${clean.slice(0, MAX_COMMENT - 3).trimEnd()}...` : clean;
}

/**
 * The blocks by family, in address order, canonical; a block inside another (or the same block twice, as a
 * manual and an auto rule) folds into the wider one's entry, since nft refuses overlapping interval elements.
 */
export function blockedSets(sources: readonly BlockedSource[]): { v4: BlockedEntry[]; v6: BlockedEntry[] } {
  const parsed = sources.map((source) => {
    const cidr = parseCidr(source.cidr);
    if (!cidr) throw new Error(`"${source.cidr}" is not an IPv4 or IPv6 address or CIDR block`);
    return { cidr, comment: source.comment };
  });
  parsed.sort((a, b) => compareCidr(a.cidr, b.cidr));
  const sets = { v4: [] as BlockedEntry[], v6: [] as BlockedEntry[] };
  let last: { cidr: Cidr; comments: string[] } | undefined;
  const kept: { cidr: Cidr; comments: string[] }[] = [];
  for (const { cidr, comment } of parsed) {
    // Sorted by start, wider first: a block inside an earlier one is inside the last one kept.
    if (last && cidrContains(last.cidr, cidr)) last.comments.push(comment);
    else kept.push((last = { cidr, comments: [comment] }));
  }
  for (const { cidr, comments } of kept) {
    const comment = firewallComment([...new Set(comments.map(firewallComment).filter(Boolean))].join(", "));
    (cidr.family === 4 ? sets.v4 : sets.v6).push({ cidr: shortCidrText(cidr), comment });
  }
  return sets;
}

function compareCidr(x: Cidr, y: Cidr): number {
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return (x.bytes[i] ?? 0) - (y.bytes[i] ?? 0);
  return x.prefix - y.prefix;
}

interface OpenPort {
  protocol: "tcp" | "udp";
  port: number;
  comment: string;
}

/** The ports the guide opens, in its order. */
function openPorts(input: FirewallInput): OpenPort[] {
  const ports: OpenPort[] = [{ protocol: "tcp", port: input.apiPort, comment: "claw API and WebSocket (nodes and CLI)" }];
  if (input.dashboardPort !== undefined) ports.push({ protocol: "tcp", port: input.dashboardPort, comment: "HTTPS (dashboard)" });
  if (input.wireguardPort !== undefined) ports.push({ protocol: "udp", port: input.wireguardPort, comment: "WireGuard mesh" });
  return ports;
}

const quoted = (comment: string) => `"${comment}"`;

/** A shell script feeding one ruleset to iptables-restore and one to ip6tables-restore. */
function renderIptablesScript(input: FirewallInput, blocked: { v4: BlockedEntry[]; v6: BlockedEntry[] }): string {
  const section = (command: string, rules: string[]) => [`${command} <<'EOF'`, ...rules, "EOF"];
  return [
    "#!/bin/sh",
    "# The gateway's firewall from `claw security firewall`: the guide's Firewall Rules and the active BlockRules.",
    "# Each ruleset replaces its filter table (other rules in it, Docker's say, are removed). Load with: sh FILE",
    "set -e",
    "",
    "# IPv4",
    ...section("iptables-restore", iptablesRuleset(input, blocked.v4, 4)),
    "",
    "# IPv6",
    ...section("ip6tables-restore", iptablesRuleset(input, blocked.v6, 6)),
    "",
  ].join("\n");
}

/** One family's filter table in iptables-restore's format. */
export function iptablesRuleset(input: FirewallInput, blocked: readonly BlockedEntry[], family: 4 | 6): string[] {
  const comment = (text: string) => (text ? ` -m comment --comment ${quoted(text)}` : "");
  return [
    "*filter",
    ":INPUT DROP [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    "-A INPUT -i lo -j ACCEPT",
    // Blocked sources before established traffic: a block also ends the connections they already have.
    ...blocked.map((entry) => `-A INPUT -s ${entry.cidr}${comment(entry.comment)} -j DROP`),
    "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
    ...(family === 6 ? ICMPV6_TYPES.map(([type]) => `-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type ${type} -j ACCEPT`) : []),
    ...openPorts(input).map((p) => `-A INPUT -p ${p.protocol} -m ${p.protocol} --dport ${p.port}${comment(p.comment)} -j ACCEPT`),
    `-A INPUT${comment("drop everything else")} -j DROP`,
    "COMMIT",
  ];
}

/** One `inet clawbernetes` table for nft -f, replaced whole and atomically. */
function renderNftables(input: FirewallInput, blocked: { v4: BlockedEntry[]; v6: BlockedEntry[] }): string {
  const set = (name: string, type: string, entries: readonly BlockedEntry[]) => [
    `\tset ${name} {`,
    `\t\ttype ${type}`,
    "\t\tflags interval",
    ...(entries.length === 0
      ? []
      : ["\t\telements = {", ...entries.map((e, i) => `\t\t\t${e.cidr}${e.comment ? ` comment ${quoted(e.comment)}` : ""}${i < entries.length - 1 ? "," : ""}`), "\t\t}"]),
    "\t}",
  ];
  return [
    "#!/usr/sbin/nft -f",
    "# The gateway's firewall from `claw security firewall`: the guide's Firewall Rules and the active BlockRules.",
    "# Replaces the table inet clawbernetes in one transaction. Load with: nft -f FILE",
    "",
    // Declaring the table first makes the delete succeed when it does not exist yet.
    "table inet clawbernetes",
    "delete table inet clawbernetes",
    "",
    "table inet clawbernetes {",
    ...set("blocked_v4", "ipv4_addr", blocked.v4),
    "",
    ...set("blocked_v6", "ipv6_addr", blocked.v6),
    "",
    "\tchain input {",
    "\t\ttype filter hook input priority filter; policy drop;",
    '\t\tiif "lo" accept',
    // Blocked sources before established traffic: a block also ends the connections they already have.
    "\t\tip saddr @blocked_v4 drop",
    "\t\tip6 saddr @blocked_v6 drop",
    "\t\tct state established,related accept",
    `\t\ticmpv6 type { ${ICMPV6_TYPES.map(([, type]) => type).join(", ")} } accept`,
    ...openPorts(input).map((p) => `\t\t${p.protocol} dport ${p.port} accept comment ${quoted(p.comment)}`),
    "\t}",
    "}",
    "",
  ].join("\n");
}
