// The Node status the server keeps from a session: connected and what the agent reported at open, the
// heartbeat (written at most every HEARTBEAT_WRITE_MS, so thousands of nodes do not turn into a write storm),
// and the end. Every write is through the status subresource under one field manager, which the audit module
// reads: a flip of status.connected is node.connected / node.disconnected, in the write's own transaction.

import { toRfc3339, type Clock } from "../machinery/clock.js";
import { isNotFound } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { UserInfo } from "../server/admission.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Node, NodeAddresse, NodeStatus } from "../types/node.js";
import { NODE_SESSION_MANAGER, type DisconnectReason } from "../types/nodes-api.js";

/** How often a heartbeat alone is written to the Node's status. */
export const HEARTBEAT_WRITE_MS = 30_000;

export interface SessionFacts {
  sessionId: string;
  gateway: string;
  connectedAtMs: number;
  user: UserInfo;
  sourceIp?: string;
}

export interface ConnectFacts extends SessionFacts {
  agentVersion: string;
  addresses: NodeAddresse[];
  certificate: NonNullable<NodeStatus["certificate"]>;
  mesh: NonNullable<NodeStatus["mesh"]>;
}

export class NodeStatusWriter {
  constructor(private readonly opts: { resources: () => ResourceService; nodes: ResourceInfo; clock: Clock }) {}

  /** The Node, created when the agent is the first to speak of it. */
  async ensure(name: string, user: UserInfo, sourceIp?: string): Promise<Node> {
    try {
      return (await this.opts.resources().get(this.opts.nodes, name)) as Node;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const body: KubeObject = { apiVersion: `${this.opts.nodes.group}/${this.opts.nodes.version}`, kind: "Node", metadata: { name }, spec: {} };
    try {
      return (await this.opts.resources().create(this.opts.nodes, body, this.options(user, sourceIp, false))).object as Node;
    } catch (err) {
      // Another server (or the join) created it meanwhile.
      return (await this.opts.resources().get(this.opts.nodes, name).catch(() => Promise.reject(err))) as Node;
    }
  }

  async connected(name: string, facts: ConnectFacts): Promise<Node> {
    const now = toRfc3339(this.opts.clock.now());
    return this.write(name, facts, (status) => ({
      ...status,
      connected: true,
      connectedAt: toRfc3339(facts.connectedAtMs),
      sessionId: facts.sessionId,
      lastHeartbeatTime: now,
      gateway: facts.gateway,
      addresses: facts.addresses,
      agentVersion: facts.agentVersion,
      certificate: facts.certificate,
      mesh: facts.mesh,
    }));
  }

  async heartbeat(name: string, facts: SessionFacts, change: Partial<Pick<NodeStatus, "addresses" | "mesh">>): Promise<void> {
    await this.write(name, facts, (status) => (this.isCurrent(status, facts) ? { ...status, ...change, lastHeartbeatTime: toRfc3339(this.opts.clock.now()) } : status));
  }

  /**
   * Marks the session's end, unless a newer session (here or on another server) has taken the node over.
   * True when the write recorded it (and so node.disconnected with it); false when the node is gone or the
   * session no longer current, and the caller records the end itself.
   */
  async disconnected(name: string, facts: SessionFacts, reason: DisconnectReason): Promise<boolean> {
    let wrote = false;
    await this.write(name, facts, (status) => {
      wrote = this.isCurrent(status, facts);
      return wrote ? { ...status, connected: false, disconnectedAt: toRfc3339(this.opts.clock.now()), disconnectReason: reason } : status;
    }).catch((err: unknown) => {
      // A removed node has no status to write.
      if (!isNotFound(err)) throw err;
      wrote = false;
    });
    return wrote;
  }

  private isCurrent(status: NodeStatus, facts: SessionFacts): boolean {
    return status.connected === true && status.sessionId === facts.sessionId;
  }

  private async write(name: string, facts: SessionFacts, change: (status: NodeStatus) => NodeStatus): Promise<Node> {
    const result = await this.opts.resources().guaranteedUpdate(this.opts.nodes, name, { ...this.options(facts.user, facts.sourceIp, false), subresource: "status" }, (live) => {
      const node = live as Node;
      return { ...node, status: { ...change(node.status ?? {}), observedGeneration: node.metadata.generation ?? 1 } } as KubeObject;
    });
    return result.object as Node;
  }

  private options(user: UserInfo, sourceIp: string | undefined, dryRun: boolean) {
    return { fieldManager: NODE_SESSION_MANAGER, fieldValidation: "Strict" as const, dryRun, user, ...(sourceIp ? { sourceIp } : {}) };
  }
}
