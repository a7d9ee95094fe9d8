import { describe, expect, it } from "vitest";
import type { MeshPeer } from "../../api/types/nodes-api.js";
import type { DumpPeer } from "./wireguard-dump.js";
import { canonicalEndpoint, planPeers, type PeerPlan, type PeerPlanInput } from "./wireguard-peer-plan.js";

const SELF = "P6YpHyqXo+OxOvUVHTlEH9sFQt8hdsbevTiK4H+mszk=";
const KEY_B = "IUXcesfICuPxiwWLg0JpA7FYfQpRRbGLjb2pTmAvPjY=";
const KEY_C = "2WPbe8czGCIUd+imDUfdXYUblYWyfRfk80YosDfStHw=";
const KEY_D = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

const PEER_B: MeshPeer = { name: "b", publicKey: KEY_B, endpoint: "198.51.100.2:51820", allowedIPs: ["10.100.0.2/32"] };
const DUMPED_B: DumpPeer = { publicKey: KEY_B, endpoint: "198.51.100.2:51820", allowedIps: ["10.100.0.2/32"], rxBytes: 0, txBytes: 0, persistentKeepalive: 25 };
/** Peer b as the gateway sends it, changed by each modifier. */
const wanted = (...modifiers: ((p: MeshPeer) => MeshPeer)[]): MeshPeer => modifiers.reduce((p, modify) => modify(p), PEER_B);
/** Peer b as the interface has it after being set from `wanted()` with keepalive 25. */
const current = (...modifiers: ((p: DumpPeer) => DumpPeer)[]): DumpPeer => modifiers.reduce((p, modify) => modify(p), DUMPED_B);
const named = (name: string, publicKey: string) => <T extends object>(p: T): T => ({ ...p, name, publicKey });
const routes = (...allowedIPs: string[]) => (p: MeshPeer): MeshPeer => ({ ...p, allowedIPs });
const endpoint = (e: string | undefined) => <T extends { endpoint?: string }>(p: T): T => {
  const { endpoint: _, ...rest } = p;
  return (e === undefined ? rest : { ...rest, endpoint: e }) as T;
};

const plan = (input: Partial<PeerPlanInput>): PeerPlan => planPeers({ self: SELF, current: [], wanted: [], persistentKeepalive: 25, ...input });
const setArgs = (p: PeerPlan) => p.set.map((s) => `${s.change} ${s.name}: ${s.args.join(" ")}`);

describe("planPeers", () => {
  const cases: { name: string; input: Partial<PeerPlanInput>; set?: string[]; remove?: string[]; skipped?: PeerPlan["skipped"]; unrouted?: PeerPlan["unrouted"] }[] = [
    { name: "adds a new peer with its endpoint, routes and keepalive", input: { wanted: [wanted()] }, set: [`add b: peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`] },
    { name: "adds a peer without an endpoint and without keepalive when it is off", input: { wanted: [wanted(endpoint(undefined))], persistentKeepalive: 0 }, set: [`add b: peer ${KEY_B} allowed-ips 10.100.0.2/32`] },
    { name: "changes nothing when the interface already matches", input: { wanted: [wanted()], current: [current()] } },
    { name: "removes a peer the gateway no longer sends", input: { wanted: [], current: [current()] }, remove: [KEY_B] },
    { name: "removes every peer for an empty list", input: { wanted: [], current: [current(), current(named("c", KEY_C))] }, remove: [KEY_B, KEY_C] },
    { name: "updates the routes when they change, replacing the whole list", input: { wanted: [wanted(routes("10.100.0.2/32", "fd00:100::2/128"))], current: [current()] }, set: [`update b: peer ${KEY_B} allowed-ips 10.100.0.2/32,fd00:100::2/128 persistent-keepalive 25`] },
    { name: "sets a changed endpoint", input: { wanted: [wanted(endpoint("198.51.100.9:51820"))], current: [current()] }, set: [`update b: peer ${KEY_B} endpoint 198.51.100.9:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`] },
    { name: "leaves a roamed endpoint alone while the gateway's stays what this agent set", input: { wanted: [wanted()], current: [current(endpoint("203.0.113.50:40000"))], lastEndpoints: new Map([[KEY_B, "198.51.100.2:51820"]]) } },
    { name: "leaves an endpoint given as a host name alone once set, though wg shows the address", input: { wanted: [wanted(endpoint("node-b.example.com:51820"))], current: [current()], lastEndpoints: new Map([[KEY_B, "node-b.example.com:51820"]]) } },
    { name: "compares IPv6 endpoints in canonical form", input: { wanted: [wanted(endpoint("[2001:DB8:0::2]:51820"))], current: [current(endpoint("[2001:db8::2]:51820"))] } },
    { name: "turns keepalive off on a peer that has it", input: { wanted: [wanted()], current: [current()], persistentKeepalive: 0 }, set: [`update b: peer ${KEY_B} allowed-ips 10.100.0.2/32 persistent-keepalive off`] },
    { name: "changes the keepalive", input: { wanted: [wanted()], current: [current()], persistentKeepalive: 15 }, set: [`update b: peer ${KEY_B} allowed-ips 10.100.0.2/32 persistent-keepalive 15`] },
    { name: "routes a peer's address inside allowed_ips", input: { wanted: [wanted()], allowedIps: ["10.100.0.0/16"] }, set: [`add b: peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`] },
    {
      name: "leaves out a peer none of whose addresses is inside allowed_ips",
      input: { wanted: [wanted(routes("10.200.0.2/32"))], allowedIps: ["10.100.0.0/16"] },
      skipped: [{ name: "b", reason: "none of its addresses (10.200.0.2/32) is inside allowed_ips (10.100.0.0/16)" }],
    },
    {
      name: "refuses a peer's claim to every address when allowed_ips is set",
      input: { wanted: [wanted(routes("0.0.0.0/0"))], current: [current()], allowedIps: ["10.100.0.0/16"] },
      remove: [KEY_B],
      skipped: [{ name: "b", reason: "none of its addresses (0.0.0.0/0) is inside allowed_ips (10.100.0.0/16)" }],
    },
    {
      name: "routes the addresses inside allowed_ips and names the others",
      input: { wanted: [wanted(routes("10.100.0.2/32", "10.0.0.0/8"))], allowedIps: ["10.100.0.0/16", "fd00:100::/64"] },
      set: [`add b: peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`],
      unrouted: [{ name: "b", cidrs: ["10.0.0.0/8"] }],
    },
    { name: "routes every address the gateway sends when allowed_ips is absent", input: { wanted: [wanted(routes("10.200.0.2/32"))] }, set: [`add b: peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.200.0.2/32 persistent-keepalive 25`] },
    { name: "writes routes in canonical form, once each", input: { wanted: [wanted(routes("10.100.0.2", "10.100.0.2/32", "FD00:100:0::2/128"))] }, set: [`add b: peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.2/32,fd00:100::2/128 persistent-keepalive 25`] },
    { name: "leaves out this node itself", input: { wanted: [wanted(named("a", SELF))] }, skipped: [{ name: "a", reason: "it has this node's own public key" }] },
    { name: "leaves out a second peer with the same key", input: { wanted: [wanted(), wanted(named("b2", KEY_B))] }, set: [`add b: peer ${KEY_B} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`], skipped: [{ name: "b2", reason: "it has the same public key as peer b" }] },
    { name: "leaves out a key that is not one, so it cannot reach wg as an argument", input: { wanted: [wanted(named("x", "remove"))] }, skipped: [{ name: "x", reason: "its public key is not a WireGuard key (44 characters of base64)" }] },
    { name: "leaves out an endpoint that is not host:port", input: { wanted: [wanted(endpoint("198.51.100.2 allowed-ips 0.0.0.0/0"))] }, skipped: [{ name: "b", reason: 'its endpoint "198.51.100.2 allowed-ips 0.0.0.0/0" is not host:port' }] },
    { name: "leaves out a route that is not a CIDR block", input: { wanted: [wanted(routes("10.100.0.2/33"))] }, skipped: [{ name: "b", reason: '"10.100.0.2/33" in its allowedIPs is not a CIDR block' }] },
    { name: "leaves out a peer with no address", input: { wanted: [wanted(routes())] }, skipped: [{ name: "b", reason: "it has no addresses to route" }] },
    {
      name: "removes, updates and adds in one plan",
      input: { wanted: [wanted(endpoint("198.51.100.9:51820")), wanted(named("d", KEY_D), routes("10.100.0.4/32"))], current: [current(), current(named("c", KEY_C))] },
      set: [`update b: peer ${KEY_B} endpoint 198.51.100.9:51820 allowed-ips 10.100.0.2/32 persistent-keepalive 25`, `add d: peer ${KEY_D} endpoint 198.51.100.2:51820 allowed-ips 10.100.0.4/32 persistent-keepalive 25`],
      remove: [KEY_C],
    },
  ];
  it.each(cases)("$name", ({ input, set = [], remove = [], skipped = [], unrouted = [] }) => {
    const p = plan(input);
    expect({ set: setArgs(p), remove: p.remove, skipped: p.skipped, unrouted: p.unrouted }).toEqual({ set, remove, skipped, unrouted });
  });
});

describe("canonicalEndpoint", () => {
  it.each([
    ["198.51.100.2:51820", "198.51.100.2:51820"],
    ["[2001:DB8:0:0::2]:51820", "[2001:db8::2]:51820"],
    ["Node-B.Example.COM:51820", "node-b.example.com:51820"],
    ["2001:db8::2:51820", undefined],
    ["198.51.100.2", undefined],
    ["198.51.100.2:0", undefined],
    ["198.51.100.2:65536", undefined],
    ["10.0.0.300:51820", undefined],
    ["-e:51820", undefined],
    ["[198.51.100.2]:51820", undefined],
  ])("%s → %s", (text, expected) => expect(canonicalEndpoint(text)).toBe(expected));
});
