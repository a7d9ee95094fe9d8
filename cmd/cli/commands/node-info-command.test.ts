// `claw node info`'s text, at a fixed time: the whole page for a connected node, then what changes for others.

import { describe, expect, it } from "vitest";
import type { Node } from "../../../api/types/node.js";
import { disconnected, NODE_NOW, neverConnected, nodeFixture, withConditions, withMesh, withSpec, withStatus } from "../testing/node-fixture.js";
import { describeNode } from "./node-info-command.js";

const lineOf = (node: Node, label: string) => describeNode(node, NODE_NOW).split("\n").find((l) => l.trimStart().startsWith(`${label}:`));

describe("describeNode", () => {
  it("shows a connected node whole: spec, connection, addresses by type, certificate, mesh and conditions", () => {
    expect(describeNode(nodeFixture(), NODE_NOW)).toBe(
      [
        "Name:                 gpu-node-1",
        "Labels:               gpu=a100",
        "Created:              2026-03-01T06:00:00Z (120m ago)",
        "Cordoned:             no",
        "Connection:",
        "  Connected:          yes",
        "  Gateway:            gateway-1",
        "  Connected Since:    2026-03-01T07:00:00Z (60m ago)",
        "  Last Heartbeat:     2026-03-01T07:59:48Z (12s ago)",
        "  Agent Version:      v1.2.0",
        "Addresses:",
        "  Source:             203.0.113.7",
        "  Internal:           10.0.0.5, 192.168.1.5",
        "  Mesh:               10.100.0.5",
        "Certificate:",
        "  Name:               node-gpu-node-1",
        "  Serial Number:      0a1b2c",
        "  Expires:            2026-05-29T08:00:00Z (in 89d)",
        "Mesh:",
        "  Provider:           wireguard",
        "  Address:            10.100.0.5",
        "  Public Key:         mQ3bXk9ZpL2vR8tYw4nC6sD1fG7hJ0kM5aE3iO9uQ2c=",
        "  Endpoint:           203.0.113.7:51820",
        "  Allowed IPs:        10.0.0.0/24",
        "  Peers Up:           2/3",
        "  Latest Handshake:   2026-03-01T07:59:30Z (30s ago)",
        "Conditions:",
        "  TYPE    STATUS   REASON        MESSAGE             LAST TRANSITION",
        "  Ready   True     SessionOpen   heartbeats arrive   60m ago",
        "",
      ].join("\n"),
    );
  });

  it.each<[string, Node, string]>([
    ["says why a session ended", nodeFixture(disconnected("HeartbeatTimeout")), "  Disconnect Reason:  HeartbeatTimeout"],
    ["says when a session ended", nodeFixture(disconnected("Removed")), "  Disconnected:       2026-03-01T07:50:00Z (10m ago)"],
    ["names the last session's start as such once disconnected", nodeFixture(disconnected("Closed")), "  Last Connected:     2026-03-01T07:00:00Z (60m ago)"],
    ["says a node never connected", nodeFixture(neverConnected), "  Connected:          no, never"],
    ["says a heartbeat never came", nodeFixture(neverConnected), "  Last Heartbeat:     never"],
    ["says <none> for an empty section", nodeFixture(neverConnected), "Certificate:          <none>"],
    ["says what cordoned means", nodeFixture(withSpec({ cordoned: true })), "Cordoned:             yes (no new workloads; still in the mesh)"],
    ["says what a mesh cordon means", nodeFixture(withSpec({ meshCordoned: true })), "Cordoned:             out of the mesh only (no other node peers with it; it still takes workloads)"],
    ["says when a certificate expired", nodeFixture(withStatus({ certificate: { name: "node-gpu-node-1", notAfter: "2026-02-27T08:00:00Z" } })), "  Expires:            2026-02-27T08:00:00Z (expired 2d ago)"],
    ["shows the mesh's message", nodeFixture(withMesh({ provider: "tailscale", message: "Tailscale is not installed; install it from tailscale.com" })), "  Message:            Tailscale is not installed; install it from tailscale.com"],
    ["puts a message of several lines on one", nodeFixture(withConditions({ type: "Ready", status: "False", reason: "Disconnected", message: "no heartbeat\nfor 90s", lastTransitionTime: "2026-03-01T07:50:00Z" })), "  Ready   False    Disconnected   no heartbeat for 90s   10m ago"],
  ])("%s", (_name, node, line) => expect(describeNode(node, NODE_NOW).split("\n")).toContain(line));

  it("leaves out the handshake of a mesh that has none (Tailscale)", () => {
    expect(lineOf(nodeFixture(withMesh({ provider: "tailscale", address: "100.64.0.9" })), "Latest Handshake")).toBeUndefined();
  });
});
