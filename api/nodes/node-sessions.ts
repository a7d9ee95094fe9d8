// The agents' sessions open on this server: one per node. A session streams SessionMessage lines (Welcome,
// then the peer list and blocklist whenever they change, and a Ping each heartbeat interval) and ends when
// its stream closes, its heartbeats stop, its node is removed or its certificate revoked, or another session
// of the same node replaces it — each end recorded (node.disconnected with the reason) and written to status.

import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Timer, Clock } from "../machinery/clock.js";
import { GROUP } from "../machinery/meta.js";
import type { AuditSink } from "../server/module.js";
import type { DisconnectReason, Heartbeat, HeartbeatAnswer, SessionHello, SessionMessage } from "../types/nodes-api.js";
import type { Node } from "../types/node.js";
import type { MeshView } from "./mesh-view.js";
import type { ConnectFacts, NodeStatusWriter, SessionFacts } from "./node-status.js";
import { HEARTBEAT_WRITE_MS } from "./node-status.js";

export interface SessionTiming {
  heartbeatIntervalSeconds: number;
  heartbeatTimeoutSeconds: number;
}

interface Session {
  node: string;
  facts: SessionFacts;
  hello: SessionHello;
  res: ServerResponse;
  meshAddress?: string;
  sentPeers?: string;
  sentBlocklist?: string;
  ping?: Timer;
  timeout?: Timer;
  lastStatusWriteMs: number;
  ended: boolean;
}

const GOODBYE: Record<DisconnectReason, string> = {
  Closed: "the session closed",
  HeartbeatTimeout: "no heartbeat arrived in time; open a new session",
  CertificateRevoked: "the node's certificate is revoked; the node must join again with a new bootstrap token",
  Removed: "the node was removed (claw node remove)",
  Replaced: "another session of this node opened",
  ServerShutdown: "the server is shutting down; reconnect to another",
};

export class NodeSessions {
  private readonly byNode = new Map<string, Session>();

  constructor(
    private readonly opts: { clock: Clock; logger: Logger; audit: AuditSink; status: NodeStatusWriter; view: MeshView; timing: SessionTiming },
  ) {
    opts.view.subscribe(() => this.refresh());
  }

  get size(): number {
    return this.byNode.size;
  }

  /** Takes over `res` for the session's stream; resolves once the session is recorded as connected. */
  async open(res: ServerResponse, connect: ConnectFacts & { node: string; hello: SessionHello; meshAddress?: string }): Promise<void> {
    const { node, hello } = connect;
    const previous = this.byNode.get(node);
    if (previous) await this.end(previous, "Replaced");
    const session: Session = { node, facts: connect, hello, res, ...(connect.meshAddress ? { meshAddress: connect.meshAddress } : {}), lastStatusWriteMs: this.opts.clock.now(), ended: false };
    res.once("close", () => void this.end(session, "Closed"));
    await this.opts.status.connected(node, connect);
    if (session.ended) return;
    res.writeHead(200, { "Content-Type": "application/json;stream=watch", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
    res.flushHeaders();
    // Registered only now: the view's pushes write to the stream, which must have its headers first.
    const raced = this.byNode.get(node);
    if (raced) await this.end(raced, "Replaced");
    this.byNode.set(node, session);
    this.send(session, {
      type: "Welcome",
      sessionId: connect.sessionId,
      gateway: connect.gateway,
      heartbeatIntervalSeconds: this.opts.timing.heartbeatIntervalSeconds,
      heartbeatTimeoutSeconds: this.opts.timing.heartbeatTimeoutSeconds,
      ...(connect.meshAddress ? { meshAddress: connect.meshAddress } : {}),
    });
    this.push(session);
    session.ping = this.every(this.opts.timing.heartbeatIntervalSeconds * 1000, () => this.send(session, { type: "Ping" }));
    this.armTimeout(session);
    this.opts.logger.info({ node, sessionId: connect.sessionId, source: connect.sourceIp }, "node session opened");
  }

  /** A heartbeat for the session `sessionId` of `node`; undefined when no such session is open here. */
  async heartbeat(node: string, beat: Heartbeat): Promise<HeartbeatAnswer | undefined> {
    const session = this.byNode.get(node);
    if (!session || session.ended || session.facts.sessionId !== beat.sessionId) return undefined;
    this.armTimeout(session);
    const now = this.opts.clock.now();
    const change = {
      ...(beat.addresses ? { addresses: [...(this.sourceAddress(session)), ...beat.addresses.map((address) => ({ type: "Internal" as const, address }))] } : {}),
      ...(beat.mesh ? { mesh: { ...this.currentMesh(node), ...beat.mesh } } : {}),
    };
    const meshChanged = beat.mesh !== undefined && JSON.stringify(change.mesh) !== JSON.stringify(this.currentMesh(node));
    if (meshChanged || now - session.lastStatusWriteMs >= HEARTBEAT_WRITE_MS) {
      session.lastStatusWriteMs = now;
      await this.opts.status.heartbeat(node, session.facts, change);
    }
    const renewalTime = this.opts.view.renewalTimeOf(node);
    return renewalTime ? { renewalTime } : {};
  }

  /** Ends the node's session here, if it has one. */
  async endFor(node: string, reason: DisconnectReason): Promise<void> {
    const session = this.byNode.get(node);
    if (session) await this.end(session, reason);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.byNode.values()].map((s) => this.end(s, "ServerShutdown")));
  }

  /** After the mesh view changed: new lists to those they concern, and the end of sessions whose node lost its standing. */
  private refresh(): void {
    for (const session of this.byNode.values()) {
      const node = this.opts.view.nodes.get(session.node);
      if (node && this.opts.view.certificateRevoked(node)) {
        void this.end(session, "CertificateRevoked");
        continue;
      }
      this.push(session);
    }
  }

  private push(session: Session): void {
    if (session.hello.mesh.provider === "wireguard") {
      const text = JSON.stringify(this.opts.view.peersOf(session.node));
      if (text !== session.sentPeers) {
        session.sentPeers = text;
        // The list is serialized once: a mesh of N nodes sends N lists of N-1 peers on every change.
        this.write(session, `{"type":"Peers","peers":${text}}\n`);
      }
    }
    if (session.hello.enforceBlocklist) {
      const cidrs = this.opts.view.blocklist();
      const text = JSON.stringify(cidrs);
      if (text !== session.sentBlocklist) {
        session.sentBlocklist = text;
        this.send(session, { type: "Blocklist", cidrs });
      }
    }
  }

  private async end(session: Session, reason: DisconnectReason): Promise<void> {
    if (session.ended) return;
    session.ended = true;
    session.ping?.cancel();
    session.timeout?.cancel();
    if (this.byNode.get(session.node) === session) this.byNode.delete(session.node);
    if (reason !== "Closed" && !session.res.destroyed) {
      if (session.res.headersSent) this.send(session, { type: "Goodbye", reason, message: GOODBYE[reason] }, true);
      session.res.end();
    }
    const durationSeconds = Math.round((this.opts.clock.now() - session.facts.connectedAtMs) / 1000);
    this.opts.logger.info({ node: session.node, sessionId: session.facts.sessionId, reason, durationSeconds }, "node session ended");
    try {
      const recorded = await this.opts.status.disconnected(session.node, session.facts, reason);
      if (!recorded)
        await this.opts.audit.note({
          type: "node.disconnected",
          actor: session.facts.user.name,
          ...(session.facts.sourceIp ? { sourceIp: session.facts.sourceIp } : {}),
          outcome: "success",
          resource: { group: GROUP, kind: "Node", name: session.node },
          details: { sessionId: session.facts.sessionId, gateway: session.facts.gateway, reason },
        });
    } catch (err) {
      this.opts.logger.warn({ node: session.node, err: (err as Error).message }, "could not record the end of a node session");
    }
  }

  private armTimeout(session: Session): void {
    session.timeout?.cancel();
    session.timeout = this.opts.clock.setTimer(this.opts.timing.heartbeatTimeoutSeconds * 1000, () => void this.end(session, "HeartbeatTimeout"));
  }

  private every(ms: number, fn: () => void): Timer {
    let timer: Timer;
    const arm = () => (timer = this.opts.clock.setTimer(ms, () => (fn(), arm())));
    arm();
    return { cancel: () => timer.cancel() };
  }

  private send(session: Session, message: SessionMessage, last = false): void {
    this.write(session, `${JSON.stringify(message)}\n`, last);
  }

  private write(session: Session, line: string, last = false): void {
    if (session.res.destroyed || (session.ended && !last)) return;
    session.res.write(line);
  }

  private sourceAddress(session: Session) {
    return session.facts.sourceIp ? [{ type: "Source" as const, address: session.facts.sourceIp }] : [];
  }

  private currentMesh(node: string): NonNullable<NonNullable<Node["status"]>["mesh"]> {
    return this.opts.view.nodes.get(node)?.status?.mesh ?? {};
  }
}
