import { describe, expect, it } from "vitest";
import { HANDSHAKE_FRESH_MS, observeDump, parseWireGuardDump, WireGuardDumpError } from "./wireguard-dump.js";

const PRIVATE = "QEtmLBJ7i7+xRl1+4wwaW+BwW5VNyFgrXg9iRdpIMWw=";
const PUBLIC = "P6YpHyqXo+OxOvUVHTlEH9sFQt8hdsbevTiK4H+mszk=";
const PEER_B = "IUXcesfICuPxiwWLg0JpA7FYfQpRRbGLjb2pTmAvPjY=";
const PEER_C = "2WPbe8czGCIUd+imDUfdXYUblYWyfRfk80YosDfStHw=";
const NOW = Date.parse("2026-03-01T08:00:00Z");
const secondsAgo = (s: number) => String(NOW / 1000 - s);

/** A dump as `wg show NAME dump` prints it: tab-separated, the interface first. */
const dump = (...peers: string[][]) => [[PRIVATE, PUBLIC, "51820", "off"], ...peers].map((fields) => fields.join("\t")).join("\n") + "\n";
const peerLine = (key: string, modify: Partial<Record<"endpoint" | "allowed" | "handshake" | "rx" | "tx" | "keepalive", string>> = {}) => [
  key,
  "(none)",
  modify.endpoint ?? "198.51.100.2:51820",
  modify.allowed ?? "10.100.0.2/32",
  modify.handshake ?? "0",
  modify.rx ?? "0",
  modify.tx ?? "0",
  modify.keepalive ?? "off",
];

describe("parseWireGuardDump", () => {
  it("reads the interface's key and port, and each peer, and keeps nothing of the private key", () => {
    const parsed = parseWireGuardDump(dump(peerLine(PEER_B, { handshake: secondsAgo(5), rx: "220", tx: "276", keepalive: "25", allowed: "10.100.0.2/32,fd00:100::2/128" })));
    expect(parsed).toEqual({
      publicKey: PUBLIC,
      listenPort: 51820,
      peers: [{ publicKey: PEER_B, endpoint: "198.51.100.2:51820", allowedIps: ["10.100.0.2/32", "fd00:100::2/128"], latestHandshakeMs: NOW - 5000, rxBytes: 220, txBytes: 276, persistentKeepalive: 25 }],
    });
    expect(JSON.stringify(parsed)).not.toContain(PRIVATE);
  });

  it("reads (none) as no endpoint and no routes, and 0 as no handshake yet", () => {
    expect(parseWireGuardDump(dump(peerLine(PEER_B, { endpoint: "(none)", allowed: "(none)" }))).peers).toEqual([
      { publicKey: PEER_B, allowedIps: [], rxBytes: 0, txBytes: 0, persistentKeepalive: 0 },
    ]);
  });

  it("reads an interface without a key yet", () => {
    expect(parseWireGuardDump("(none)\t(none)\t0\toff\n")).toEqual({ listenPort: 0, peers: [] });
  });

  it.each([
    { name: "an empty answer", text: "" },
    { name: "a peer line with a missing field", text: dump(peerLine(PEER_B).slice(0, 7)) },
    { name: "a byte count that is not a number", text: dump(peerLine(PEER_B, { rx: "many" })) },
  ])("refuses $name without repeating the dump", ({ text }) => {
    let error: unknown;
    try {
      parseWireGuardDump(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WireGuardDumpError);
    expect((error as Error).message).not.toContain(PRIVATE);
  });
});

describe("observeDump", () => {
  it.each([
    { name: "counts no peer up before any handshake", handshakes: ["0", "0"], up: 0, latest: undefined },
    { name: "counts a peer with a handshake a second ago as up", handshakes: [secondsAgo(1), "0"], up: 1, latest: NOW - 1000 },
    { name: "counts a handshake exactly 180 s old as up", handshakes: [secondsAgo(HANDSHAKE_FRESH_MS / 1000), "0"], up: 1, latest: NOW - HANDSHAKE_FRESH_MS },
    { name: "counts a handshake 181 s old as down but still reports it", handshakes: [secondsAgo(181), "0"], up: 0, latest: NOW - 181_000 },
    { name: "reports the newest handshake of all", handshakes: [secondsAgo(100), secondsAgo(30)], up: 2, latest: NOW - 30_000 },
  ])("$name", ({ handshakes, up, latest }) => {
    const observed = observeDump(parseWireGuardDump(dump(peerLine(PEER_B, { handshake: handshakes[0]! }), peerLine(PEER_C, { handshake: handshakes[1]! }))), NOW);
    expect({ peers: observed.peers, peersUp: observed.peersUp, latestHandshakeMs: observed.latestHandshakeMs }).toEqual({ peers: 2, peersUp: up, latestHandshakeMs: latest });
  });

  it("gives each peer's handshake, endpoint and traffic by key", () => {
    const observed = observeDump(parseWireGuardDump(dump(peerLine(PEER_B, { handshake: secondsAgo(2), rx: "1000", tx: "2000" }), peerLine(PEER_C, { endpoint: "(none)" }))), NOW);
    expect(observed.byKey).toEqual(
      new Map([
        [PEER_B, { latestHandshakeMs: NOW - 2000, endpoint: "198.51.100.2:51820", rxBytes: 1000, txBytes: 2000 }],
        [PEER_C, { rxBytes: 0, txBytes: 0 }],
      ]),
    );
  });
});
