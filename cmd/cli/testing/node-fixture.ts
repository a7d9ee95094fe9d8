// Test fixtures for `claw node`: a Node as the server leaves it while its agent is connected, changed by modifiers.

import type { Condition } from "../../../api/machinery/meta.js";
import type { Node, NodeMesh, NodeSpec, NodeStatus } from "../../../api/types/node.js";

export type NodeModifier = (n: Node) => void;

/** The time the fixtures are written for: the node's heartbeat was 12 s before, its certificate has 89 days left. */
export const NODE_NOW = Date.parse("2026-03-01T08:00:00Z");

/**
 * gpu-node-1, connected to gateway-1 since 07:00, heartbeat 12 s ago, agent v1.2.0, certificate node-gpu-node-1
 * until 2026-05-29T08:00:00Z, WireGuard at 10.100.0.5 with 2 of 3 peers up, last handshake 30 s ago.
 */
export function nodeFixture(...modifiers: NodeModifier[]): Node {
  const node: Node = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "Node",
    metadata: { name: "gpu-node-1", labels: { gpu: "a100" }, creationTimestamp: "2026-03-01T06:00:00Z", generation: 1, resourceVersion: "10" },
    spec: { cordoned: false, meshCordoned: false },
    status: {
      connected: true,
      gateway: "gateway-1",
      connectedAt: "2026-03-01T07:00:00Z",
      lastHeartbeatTime: "2026-03-01T07:59:48Z",
      agentVersion: "v1.2.0",
      addresses: [
        { type: "Source", address: "203.0.113.7" },
        { type: "Internal", address: "10.0.0.5" },
        { type: "Internal", address: "192.168.1.5" },
        { type: "Mesh", address: "10.100.0.5" },
      ],
      certificate: { name: "node-gpu-node-1", serialNumber: "0a1b2c", notAfter: "2026-05-29T08:00:00Z" },
      mesh: {
        provider: "wireguard",
        address: "10.100.0.5",
        publicKey: "mQ3bXk9ZpL2vR8tYw4nC6sD1fG7hJ0kM5aE3iO9uQ2c=",
        endpoint: "203.0.113.7:51820",
        allowedIPs: ["10.0.0.0/24"],
        peers: 3,
        peersUp: 2,
        latestHandshakeTime: "2026-03-01T07:59:30Z",
      },
      conditions: [{ type: "Ready", status: "True", reason: "SessionOpen", message: "heartbeats arrive", lastTransitionTime: "2026-03-01T07:00:00Z" }],
    },
  };
  for (const modify of modifiers) modify(node);
  return node;
}

export const named = (name: string): NodeModifier => (n) => void (n.metadata.name = name);
export const withSpec = (spec: NodeSpec): NodeModifier => (n) => void (n.spec = { ...n.spec, ...spec });
export const withStatus = (status: Partial<NodeStatus>): NodeModifier => (n) => void (n.status = { ...n.status, ...status });
export const withMesh = (mesh: NodeMesh | undefined): NodeModifier => (n) => {
  const { mesh: _old, ...rest } = n.status ?? {};
  n.status = mesh ? { ...rest, mesh } : rest;
};
export const withConditions = (...conditions: Condition[]): NodeModifier => (n) => void (n.status = { ...n.status, conditions });
/** The agent's session ended at 07:50 for `reason`. */
export const disconnected = (reason: string): NodeModifier => (n) =>
  void (n.status = { ...n.status, connected: false, disconnectedAt: "2026-03-01T07:50:00Z", disconnectReason: reason });
/** Registered by join, before any session: no status at all. */
export const neverConnected: NodeModifier = (n) => void delete n.status;
