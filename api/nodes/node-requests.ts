// The bodies node agents send, read strictly: a small JSON object, every field checked for type, size and
// form, unknown fields refused. A node is trusted to speak only for itself, and only in these shapes.

import { badRequest, ApiError } from "../machinery/errors.js";
import { formatIp, parseCidr, parseIp } from "../machinery/ip-address.js";
import { readBody } from "../server/http-io.js";
import { parseJsonBody } from "../server/request-body.js";
import type { RequestContext } from "../server/request-context.js";
import type { Heartbeat, MeshProviderName, SessionHello } from "../types/nodes-api.js";

/** Agents' bodies are small; a CSR is the largest thing they send. */
export const MAX_NODE_BODY_BYTES = 64 * 1024;

type Json = Record<string, unknown>;

export async function jsonObject(ctx: RequestContext, allowed: readonly string[]): Promise<Json> {
  const mediaType = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json") throw new ApiError(415, "UnsupportedMediaType", `the body must be application/json, not ${mediaType || "unstated"}`);
  const body = parseJsonBody(await readBody(ctx.req, MAX_NODE_BODY_BYTES), "the request body is not valid JSON");
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body must be a JSON object");
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw badRequest(`unknown field ${JSON.stringify(unknown[0])}; the fields are ${allowed.join(", ")}`);
  return body as Json;
}

export const text = (body: Json, field: string, max: number, required = true): string | undefined => {
  const v = body[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v.length === 0 || v.length > max) throw badRequest(`${field} must be a string of 1 to ${max} characters`);
  // What a node says is printed on operators' terminals (claw node info): no escape sequences or other control characters.
  if (/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(v)) throw badRequest(`${field} must not contain control characters`);
  return v;
};

const object = (v: unknown, field: string): Json => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badRequest(`${field} must be an object`);
  return v as Json;
};

const addressList = (v: unknown, field: string): string[] => {
  if (!Array.isArray(v) || v.length > 32) throw badRequest(`${field} must be a list of at most 32 IP addresses`);
  return v.map((a, i) => {
    const ip = typeof a === "string" ? parseIp(a) : undefined;
    if (!ip) throw badRequest(`${field}[${i}] must be an IPv4 or IPv6 address`);
    return formatIp(ip);
  });
};

const PROVIDERS: readonly MeshProviderName[] = ["wireguard", "tailscale", "none"];
const ENDPOINT = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]{1,253}):(\d{1,5})$/;
const VERSION = /^[\x21-\x7e]{1,64}$/;
const MESSAGE_MAX = 1024;

/** A WireGuard public key: base64 of 32 bytes. */
export const isWireGuardKey = (v: unknown): v is string => typeof v === "string" && v.length === 44 && Buffer.from(v, "base64").length === 32 && Buffer.from(v, "base64").toString("base64") === v;

export function sessionHello(body: Json): SessionHello {
  const agentVersion = text(body, "agentVersion", 64)!;
  if (!VERSION.test(agentVersion)) throw badRequest("agentVersion must be printable text without spaces");
  const mesh = object(body.mesh, "mesh");
  const provider = mesh.provider as MeshProviderName;
  if (!PROVIDERS.includes(provider)) throw badRequest(`mesh.provider must be one of ${PROVIDERS.join(", ")}`);
  const known = ["provider", "publicKey", "listenPort", "endpoint", "allowedIPs", "address", "message"];
  const extra = Object.keys(mesh).find((k) => !known.includes(k));
  if (extra) throw badRequest(`unknown field mesh.${extra}`);
  const hello: SessionHello = { agentVersion, addresses: addressList(body.addresses ?? [], "addresses"), mesh: { provider }, enforceBlocklist: body.enforceBlocklist === true };
  if (body.enforceBlocklist !== undefined && typeof body.enforceBlocklist !== "boolean") throw badRequest("enforceBlocklist must be true or false");
  if (mesh.message !== undefined) hello.mesh.message = text(mesh, "message", MESSAGE_MAX)!;
  if (provider === "wireguard") {
    if (mesh.address !== undefined) throw badRequest("mesh.address is not the agent's to choose with WireGuard: the server allocates it from [nodes] mesh_cidr");
    if (!isWireGuardKey(mesh.publicKey)) throw badRequest("mesh.publicKey must be a WireGuard public key (44 characters of base64, as `wg pubkey` prints)");
    const port = mesh.listenPort;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw badRequest("mesh.listenPort must be a port number from 1 to 65535");
    hello.mesh.publicKey = mesh.publicKey;
    hello.mesh.listenPort = port;
    if (mesh.endpoint !== undefined) {
      const match = typeof mesh.endpoint === "string" ? ENDPOINT.exec(mesh.endpoint) : null;
      if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) throw badRequest("mesh.endpoint must be host:port, such as node1.example.com:51820 or [2001:db8::7]:51820");
      hello.mesh.endpoint = mesh.endpoint as string;
    }
    if (mesh.allowedIPs !== undefined) {
      if (!Array.isArray(mesh.allowedIPs) || mesh.allowedIPs.length > 64) throw badRequest("mesh.allowedIPs must be a list of at most 64 CIDR blocks");
      hello.mesh.allowedIPs = mesh.allowedIPs.map((c, i) => {
        const cidr = typeof c === "string" ? parseCidr(c) : undefined;
        if (!cidr) throw badRequest(`mesh.allowedIPs[${i}] must be a CIDR block such as 10.100.0.0/16`);
        return cidr.text;
      });
    }
  } else if (provider === "tailscale" && mesh.address !== undefined) {
    const ip = typeof mesh.address === "string" ? parseIp(mesh.address) : undefined;
    if (!ip) throw badRequest("mesh.address must be the node's tailnet IP address");
    hello.mesh.address = formatIp(ip);
  }
  return hello;
}

export function heartbeat(body: Json, provider: MeshProviderName): Heartbeat {
  const sessionId = text(body, "sessionId", 64)!;
  const beat: Heartbeat = { sessionId };
  if (body.addresses !== undefined) beat.addresses = addressList(body.addresses, "addresses");
  if (body.mesh !== undefined) {
    const mesh = object(body.mesh, "mesh");
    const extra = Object.keys(mesh).find((k) => !["address", "peers", "peersUp", "latestHandshakeTime", "message"].includes(k));
    if (extra) throw badRequest(`unknown field mesh.${extra}`);
    const count = (k: "peers" | "peersUp") => {
      const v = mesh[k];
      if (v === undefined) return {};
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 1_000_000) throw badRequest(`mesh.${k} must be a whole number`);
      return { [k]: v };
    };
    const handshake = mesh.latestHandshakeTime;
    if (handshake !== undefined && (typeof handshake !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(handshake) || Number.isNaN(Date.parse(handshake))))
      throw badRequest("mesh.latestHandshakeTime must be an RFC 3339 time in UTC, such as 2026-11-29T10:00:00Z");
    const address = mesh.address === undefined || provider !== "tailscale" ? undefined : parseIp(String(mesh.address));
    if (mesh.address !== undefined && provider === "tailscale" && !address) throw badRequest("mesh.address must be the node's tailnet IP address");
    beat.mesh = {
      ...count("peers"),
      ...count("peersUp"),
      ...(handshake !== undefined ? { latestHandshakeTime: handshake as string } : {}),
      ...(address ? { address: formatIp(address) } : {}),
      ...(mesh.message !== undefined ? { message: text(mesh, "message", MESSAGE_MAX)! } : {}),
    };
  }
  return beat;
}
