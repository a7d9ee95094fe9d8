// The nodes module: bootstrap tokens, joining and renewing by CSR (signed by the pki module's CsrSigner),
// the agents' sessions with their heartbeats, node.connected / node.disconnected, mesh addresses, and the
// peer lists and blocklist every session is kept current with.

import { hostname } from "node:os";
import { sendJson } from "../server/http-io.js";
import type { ModuleContext, ModuleRuntime, ServerModule } from "../server/module.js";
import type { RequestContext } from "../server/request-context.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Route } from "../server/route-table.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { Certificate } from "../types/certificate.js";
import { nodesPaths, type BootstrapTokenCreated, type BootstrapTokenList, type BootstrapTokenRequest } from "../types/nodes-api.js";
import { BootstrapTokens } from "./bootstrap-tokens.js";
import { csrEndpoint, joinEndpoint, type JoinDeps } from "./join-endpoints.js";
import { MeshAddresses } from "./mesh-addresses.js";
import { MeshView } from "./mesh-view.js";
import { jsonObject } from "./node-requests.js";
import { NodeSessions } from "./node-sessions.js";
import { NodeStatusWriter } from "./node-status.js";
import { DEFAULT_NODES_CONFIG, type NodesConfig } from "./nodes-config.js";
import { heartbeatEndpoint, sessionEndpoint, type SessionEndpointDeps } from "./session-endpoints.js";

export interface NodesModuleOptions {
  config?: NodesConfig;
  /** The name sessions record as their gateway (default: the host name). */
  gateway?: string;
}

/** A node acting for itself passes with this grant; the handler holds it to its own name (session-endpoints.ts ownNode). */
const OWN_NODE = "own-node";

export class NodesModule implements ServerModule {
  readonly name = "nodes";
  readonly routes: readonly Route[];
  readonly sessions: NodeSessions;
  readonly view: MeshView;
  readonly tokens: BootstrapTokens;
  private readonly addresses: MeshAddresses;
  private resources: ResourceService | undefined;

  constructor(ctx: ModuleContext, opts: NodesModuleOptions = {}) {
    const config = opts.config ?? DEFAULT_NODES_CONFIG;
    const nodes = info(ctx, "nodes");
    const certificates = info(ctx, "certificates");
    const logger = ctx.logger.child({ component: "nodes" });
    const resources = () => {
      if (!this.resources) throw new Error("the nodes module has not started");
      return this.resources;
    };
    this.tokens = new BootstrapTokens({ store: ctx.store, clock: ctx.clock, random: (n) => ctx.random.bytes(n) });
    this.addresses = new MeshAddresses({ store: ctx.store, meshCidr: config.meshCidr });
    const status = new NodeStatusWriter({ resources, nodes, clock: ctx.clock });
    this.view = new MeshView({
      store: ctx.store,
      clock: ctx.clock,
      logger,
      onNodeDeleted: (node) => {
        void this.sessions.endFor(node.metadata.name ?? "", "Removed");
        if (node.metadata.uid) void this.addresses.release(node.metadata.uid).catch((err: Error) => logger.warn({ err: err.message }, "could not release a removed node's mesh address"));
      },
    });
    this.sessions = new NodeSessions({ clock: ctx.clock, logger, audit: ctx.audit, status, view: this.view, timing: config });
    const sessionDeps: SessionEndpointDeps = {
      sessions: this.sessions,
      status,
      addresses: this.addresses,
      view: this.view,
      gateway: opts.gateway ?? hostname(),
      clock: ctx.clock,
      certificateNamed: async (name) => ((await resources().get(certificates, name).catch(() => undefined)) as Certificate | undefined)?.status,
    };
    const joinDeps: JoinDeps = { tokens: this.tokens, status, signer: ctx.csrSigner, resources, certificates, clock: ctx.clock };
    const target = { group: nodes.group, version: nodes.version, resource: "nodes", isResourceRequest: true };
    const base = `/apis/${nodes.group}/${nodes.version}/nodes/{name}`;
    const own = (subresource: string, id: string, handler: (rc: RequestContext) => Promise<void>, cost: Route["cost"]): Route => ({
      id: `nodes.${id}`,
      method: "POST",
      path: `${base}/${subresource}`,
      verb: "create",
      target: { ...target, subresource },
      // Admins pass the permission but the handler still wants the node's own certificate: only it has a session to hold.
      access: { kind: "permission", resource: "nodes", action: "admin", policy: ({ info: i, user }) => (user.name === `system:node:${i.name ?? ""}` ? OWN_NODE : undefined) },
      cost,
      handler,
    });
    const admin = { kind: "permission", resource: "nodes", action: "admin" } as const;
    this.routes = [
      own("session", "session", (rc) => sessionEndpoint(rc, sessionDeps), "watch"),
      own("heartbeat", "heartbeat", (rc) => heartbeatEndpoint(rc, sessionDeps), "write"),
      own("csr", "csr", (rc) => csrEndpoint(rc, joinDeps), "expensive"),
      { id: "nodes.join", method: "POST", path: nodesPaths.join, verb: "create", access: { kind: "public" }, cost: "expensive", handler: (rc) => joinEndpoint(rc, joinDeps) },
      { id: "nodes.tokens.create", method: "POST", path: nodesPaths.tokens, verb: "create", target: { resource: "bootstraptokens" }, access: admin, cost: "write", handler: (rc) => this.createToken(rc) },
      { id: "nodes.tokens.list", method: "GET", path: nodesPaths.tokens, verb: "list", target: { resource: "bootstraptokens" }, access: admin, cost: "list", handler: (rc) => this.listTokens(rc) },
      { id: "nodes.tokens.delete", method: "DELETE", path: "/nodes/bootstrap-tokens/{name}", verb: "delete", target: { resource: "bootstraptokens" }, access: admin, cost: "write", handler: async (rc) => sendJson(rc.res, 200, await this.tokens.delete(rc.info.name ?? "")) },
    ];
  }

  async start(runtime: ModuleRuntime): Promise<void> {
    this.resources = runtime.resources;
    await this.view.start();
  }

  async stop(): Promise<void> {
    await this.sessions.stopAll();
    this.view.stop();
  }

  private async createToken(ctx: RequestContext): Promise<void> {
    const body = (await jsonObject(ctx, ["ttl", "uses", "node", "description"])) as BootstrapTokenRequest;
    const { info: created, token } = await this.tokens.create(body, ctx.user?.name ?? "unknown");
    const answer: BootstrapTokenCreated = { apiVersion: "security.clawbernetes.com/v1", kind: "BootstrapToken", ...created, token };
    sendJson(ctx.res, 201, answer, { "Cache-Control": "no-store" });
  }

  private async listTokens(ctx: RequestContext): Promise<void> {
    const answer: BootstrapTokenList = { apiVersion: "security.clawbernetes.com/v1", kind: "BootstrapTokenList", items: await this.tokens.list() };
    sendJson(ctx.res, 200, answer);
  }
}

function info(ctx: ModuleContext, plural: string): ResourceInfo {
  const found = ctx.registry.byPlural(plural);
  if (!found) throw new Error(`the CRD registry has no ${plural}; is crds/ complete?`);
  return found;
}
