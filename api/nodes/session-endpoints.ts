// The node's own endpoints: opening its session and sending heartbeats. Only the node itself may call
// them — a caller authenticated by a node certificate whose common name is the node in the path.

import { randomUUID } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, forbidden, notFound } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import { sendJson } from "../server/http-io.js";
import { sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { UserInfo } from "../server/admission.js";
import { NODE_ROLE, NODE_USER_PREFIX } from "../types/pki-api.js";
import type { Node } from "../types/node.js";
import { nodeCertificateName } from "../types/nodes-api.js";
import type { MeshAddresses } from "./mesh-addresses.js";
import type { NodeSessions } from "./node-sessions.js";
import type { NodeStatusWriter } from "./node-status.js";
import { heartbeat, jsonObject, sessionHello } from "./node-requests.js";
import type { MeshView } from "./mesh-view.js";

export interface SessionEndpointDeps {
  sessions: NodeSessions;
  status: NodeStatusWriter;
  addresses: MeshAddresses;
  view: MeshView;
  /** The Certificate of the node's current serial when the view has not heard of it yet (a join a moment ago). */
  certificateNamed(name: string): Promise<{ serialNumber?: string } | undefined>;
  /** This server's name, recorded as the session's gateway. */
  gateway: string;
  clock: { now(): number };
}

/** The node named in the path, when the caller is that node's own certificate; 403 otherwise. */
export function ownNode(ctx: RequestContext): { name: string; user: UserInfo } {
  const name = ctx.info.name ?? "";
  const user = ctx.user;
  const isNode = user?.roles?.includes(NODE_ROLE) === true && user.authentication?.method === "mtls" && user.name.startsWith(NODE_USER_PREFIX);
  if (!user || !isNode) throw forbidden(`only node ${name}'s agent, with its node certificate, may use this endpoint`);
  if (user.name !== `${NODE_USER_PREFIX}${name}`) throw forbidden(`${user.name} may act only for itself, not for node ${name}`);
  return { name, user };
}

export async function sessionEndpoint(ctx: RequestContext, deps: SessionEndpointDeps): Promise<void> {
  const { name, user } = ownNode(ctx);
  const hello = sessionHello(await jsonObject(ctx, ["agentVersion", "addresses", "mesh", "enforceBlocklist"]));
  const peer = (ctx.req.socket as TLSSocket).getPeerCertificate?.();
  const serialNumber = peer?.serialNumber?.toLowerCase() ?? "";
  const sourceIp = sourceIpOf(ctx);
  const certificateName = deps.view.certificateWithSerial(serialNumber) ?? (await sameSerial(deps, nodeCertificateName(name), serialNumber));
  const node = await deps.status.ensure(name, user, sourceIp);
  if (node.metadata.deletionTimestamp) throw forbidden(`node ${name} is being removed`);
  // Two peers with one key would make WireGuard route one's traffic to the other: a key belongs to one node.
  const key = hello.mesh.publicKey;
  const holder = key === undefined ? undefined : [...deps.view.nodes.values()].find((n) => n.metadata.name !== name && n.status?.mesh?.publicKey === key);
  if (holder) throw new ApiError(409, "Conflict", `the WireGuard public key is already node ${holder.metadata.name}'s; every node needs its own key pair (delete the key file to make a new one)`, { group: GROUP, kind: "Node", name });
  const facts = { sessionId: randomUUID(), gateway: deps.gateway, connectedAtMs: deps.clock.now(), user, ...(sourceIp ? { sourceIp } : {}) };
  let meshAddress: string | undefined;
  let address = hello.mesh.address;
  if (hello.mesh.provider === "wireguard") {
    address = await deps.addresses.claim(name, node.metadata.uid ?? "", node.status?.mesh?.address);
    meshAddress = `${address}/${deps.addresses.prefix}`;
  }
  const endpoint = hello.mesh.endpoint ?? (sourceIp && hello.mesh.listenPort ? `${sourceIp.includes(":") ? `[${sourceIp}]` : sourceIp}:${hello.mesh.listenPort}` : undefined);
  const { listenPort: _port, ...meshHello } = hello.mesh;
  await deps.sessions.open(ctx.res, {
    ...facts,
    node: name,
    hello,
    ...(meshAddress ? { meshAddress } : {}),
    agentVersion: hello.agentVersion,
    addresses: [...(sourceIp ? [{ type: "Source" as const, address: sourceIp }] : []), ...hello.addresses.map((a) => ({ type: "Internal" as const, address: a }))],
    certificate: { ...(certificateName ? { name: certificateName } : {}), serialNumber, ...(peer?.valid_to ? { notAfter: toRfc3339(Date.parse(peer.valid_to)) } : {}) },
    mesh: { ...meshHello, ...(address ? { address } : {}), ...(endpoint ? { endpoint } : {}) },
  });
}

export async function heartbeatEndpoint(ctx: RequestContext, deps: SessionEndpointDeps): Promise<void> {
  const { name } = ownNode(ctx);
  const provider = (deps.view.nodes.get(name) as Node | undefined)?.status?.mesh?.provider ?? "none";
  const beat = heartbeat(await jsonObject(ctx, ["sessionId", "addresses", "mesh"]), provider);
  const answer = await deps.sessions.heartbeat(name, beat);
  if (!answer) throw notFound({ group: GROUP, kind: "NodeSession", resource: "sessions", name: beat.sessionId });
  sendJson(ctx.res, 200, answer);
}

async function sameSerial(deps: SessionEndpointDeps, certificate: string, serial: string): Promise<string | undefined> {
  const held = (await deps.certificateNamed(certificate))?.serialNumber ?? "";
  const normal = (s: string) => s.toLowerCase().replace(/^0+/, "");
  return serial !== "" && normal(held) === normal(serial) ? certificate : undefined;
}
