// The node tables (list, mesh) and their cells, at a fixed time: what each row says for each kind of node.

import { describe, expect, it } from "vitest";
import type { Node } from "../../../api/types/node.js";
import { disconnected, named, NODE_NOW, neverConnected, nodeFixture, withMesh, withSpec, withStatus } from "../testing/node-fixture.js";
import { ageSince, certExpiresIn, cordonState, peersUp, shortKey } from "./node-cells.js";
import { renderNodeTable } from "./node-list-command.js";
import { meshView, renderMeshTable } from "./node-mesh-command.js";

const HOUR = 3_600_000;
const expiringAt = (notAfter: string) => withStatus({ certificate: { name: "node-gpu-node-1", notAfter } });
const cells = (table: string) => table.trimEnd().split("\n").map((line) => line.split(/\s{3,}/));

describe("certExpiresIn", () => {
  it.each<[string, Node, string]>([
    ["shows days when weeks are left", nodeFixture(), "89d"],
    ["shows hours when hours are left", nodeFixture(expiringAt("2026-03-01T13:00:00Z")), "5h"],
    ["shows hours and minutes under eight hours", nodeFixture(expiringAt("2026-03-01T11:30:00Z")), "3h30m"],
    ["says expired at the very instant", nodeFixture(expiringAt("2026-03-01T08:00:00Z")), "expired"],
    ["says expired after", nodeFixture(expiringAt("2026-02-01T08:00:00Z")), "expired"],
    ["shows - before the node has a certificate", nodeFixture(neverConnected), "-"],
    ["shows - for a time that is none", nodeFixture(expiringAt("soon")), "-"],
  ])("%s", (_name, node, text) => expect(certExpiresIn(node, NODE_NOW)).toBe(text));
});

describe("the other cells", () => {
  it.each<[string, string, string]>([
    ["an age in seconds", ageSince("2026-03-01T07:59:48Z", NODE_NOW, "never"), "12s"],
    ["an age in minutes", ageSince("2026-03-01T07:55:00Z", NODE_NOW, "never"), "5m"],
    ["never without a time", ageSince(undefined, NODE_NOW, "never"), "never"],
    ["a key cut to eight characters", shortKey("mQ3bXk9ZpL2vR8tY"), "mQ3bXk9Z…"],
    ["a short key whole", shortKey("abc"), "abc"],
    ["no key as -", shortKey(undefined), "-"],
    ["peers up of all peers", peersUp({ peers: 3, peersUp: 2 }), "2/3"],
    ["no peers up yet as 0", peersUp({ peers: 4 }), "0/4"],
    ["peers unknown as -", peersUp({ provider: "wireguard" }), "-"],
    ["cordoned", cordonState(nodeFixture(withSpec({ cordoned: true }))), "yes"],
    ["cordoned for the mesh only", cordonState(nodeFixture(withSpec({ meshCordoned: true }))), "mesh"],
    ["cordoned both ways", cordonState(nodeFixture(withSpec({ cordoned: true, meshCordoned: true }))), "yes, mesh"],
    ["not cordoned", cordonState(nodeFixture()), "no"],
  ])("%s", (_name, actual, expected) => expect(actual).toBe(expected));
});

describe("renderNodeTable", () => {
  const nodes = [
    nodeFixture(),
    nodeFixture(named("gpu-node-2"), disconnected("HeartbeatTimeout"), expiringAt("2026-03-01T13:00:00Z"), withSpec({ cordoned: true })),
    nodeFixture(named("gpu-node-3"), neverConnected),
    nodeFixture(named("gpu-node-4"), withMesh({ provider: "none" }), expiringAt("2026-02-28T08:00:00Z"), withSpec({ meshCordoned: true })),
  ];

  it("shows NAME, CONNECTED, MESH IP and CERT EXPIRES IN", () => {
    expect(renderNodeTable(nodes, { nowMs: NODE_NOW, wide: false })).toBe(
      [
        "NAME         CONNECTED   MESH IP      CERT EXPIRES IN",
        "gpu-node-1   yes         10.100.0.5   89d",
        "gpu-node-2   no          10.100.0.5   5h",
        "gpu-node-3   no          -            -",
        "gpu-node-4   yes         -            expired",
        "",
      ].join("\n"),
    );
  });

  it("adds AGENT, LAST HEARTBEAT and CORDONED when wide", () => {
    expect(cells(renderNodeTable(nodes, { nowMs: NODE_NOW, wide: true }))).toEqual([
      ["NAME", "CONNECTED", "MESH IP", "CERT EXPIRES IN", "AGENT", "LAST HEARTBEAT", "CORDONED"],
      ["gpu-node-1", "yes", "10.100.0.5", "89d", "v1.2.0", "12s", "no"],
      ["gpu-node-2", "no", "10.100.0.5", "5h", "v1.2.0", "12s", "yes"],
      ["gpu-node-3", "no", "-", "-", "-", "never", "no"],
      ["gpu-node-4", "yes", "-", "expired", "v1.2.0", "12s", "mesh"],
    ]);
  });

  it("ages the heartbeat with the clock", () => {
    expect(cells(renderNodeTable([nodeFixture()], { nowMs: NODE_NOW + 5 * HOUR, wide: true }))[1]![5]).toBe("5h");
  });
});

describe("renderMeshTable", () => {
  it("shows each node's place in the mesh, and - for a node whose mesh is off or unknown", () => {
    const nodes = [
      nodeFixture(),
      nodeFixture(named("gpu-node-2"), withMesh({ provider: "wireguard", address: "10.100.0.6", publicKey: "Zk2pQ9sLm3nB7vC1xD5fG8hJ4kL0qW6eR2tY9uI3oP0=", peers: 3 })),
      nodeFixture(named("gpu-node-3"), withMesh({ provider: "none" }), disconnected("Closed")),
      nodeFixture(named("gpu-node-4"), neverConnected),
      nodeFixture(named("gpu-node-5"), withMesh({ provider: "tailscale", address: "100.64.0.9", message: "Tailscale is not logged in; run tailscale up" })),
    ];
    expect(renderMeshTable(nodes, NODE_NOW)).toBe(
      [
        "NAME         MESH IP      PUBLIC KEY   ENDPOINT            PEERS UP   LAST HANDSHAKE   CONNECTED",
        "gpu-node-1   10.100.0.5   mQ3bXk9Z…    203.0.113.7:51820   2/3        30s              yes",
        "gpu-node-2   10.100.0.6   Zk2pQ9sL…    -                   0/3        never            yes",
        "gpu-node-3   -            -            -                   -          -                no",
        "gpu-node-4   -            -            -                   -          -                no",
        "gpu-node-5   100.64.0.9   -            -                   -          never            yes",
        "",
      ].join("\n"),
    );
  });

  it("gives status.mesh as it is for -o json, null before the agent reported one", () => {
    expect(meshView([nodeFixture(withSpec({ meshCordoned: true })), nodeFixture(named("gpu-node-2"), neverConnected)])).toEqual([
      { name: "gpu-node-1", connected: true, meshCordoned: true, mesh: nodeFixture().status!.mesh },
      { name: "gpu-node-2", connected: false, meshCordoned: false, mesh: null },
    ]);
  });
});
