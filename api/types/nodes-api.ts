// The node API, shared by the server (api/nodes), the node agent (cmd/node) and the CLI (`claw node`).
// Nodes themselves are ordinary resources (Node, api/types/node.ts); these endpoints exist where a
// declarative write cannot serve: bootstrap tokens (the secret shown once), joining with a CSR (the private
// key never leaves the node), renewing by CSR, and the agent's session.
//
// The session is one long HTTP request on the API port (the port the guide's firewall opens "for
// WebSocket (nodes and CLI)"): the agent POSTs a SessionHello and reads newline-delimited SessionMessages
// (JSON, one per line) for as long as it stays connected; heartbeats are separate POSTs naming the session.
// A stream that ends, or heartbeats that stop, end the session (node.disconnected with the reason).

import { SECURITY_API } from "./auth-api.js";

const nodePath = (name: string, sub: string) => `${SECURITY_API}/nodes/${encodeURIComponent(name)}/${sub}`;

export const nodesPaths = {
  /** POST BootstrapTokenRequest → BootstrapTokenCreated (the token, once). GET → BootstrapTokenList. Needs nodes:admin. */
  tokens: "/nodes/bootstrap-tokens",
  /** DELETE → 200 BootstrapTokenInfo. Needs nodes:admin. */
  token: (id: string) => `/nodes/bootstrap-tokens/${encodeURIComponent(id)}`,
  /**
   * POST JoinRequest with `Authorization: Bearer <bootstrap token>` (no other credential) → NodeCredentials.
   * Registers the Node, signs the CSR into Certificate node-<name> (spec.privateKey.source CSR) and spends one
   * use of the token. 401 for a token unknown, expired or used up; 403 for a token bound to another node name.
   */
  join: "/nodes/join",
  /** POST CsrRequest → NodeCredentials. Only the node itself (its mTLS certificate names it): the CSR renews its certificate. */
  csr: (name: string) => nodePath(name, "csr"),
  /** POST SessionHello → 200, then SessionMessage lines until the session ends. Only the node itself. */
  session: (name: string) => nodePath(name, "session"),
  /** POST Heartbeat → HeartbeatAnswer; 404 when the session is not open on this server (open a new one). Only the node itself. */
  heartbeat: (name: string) => nodePath(name, "heartbeat"),
} as const;

/** The field manager of the status writes the server makes from sessions (the audit module reads it: node.connected / node.disconnected). */
export const NODE_SESSION_MANAGER = "claw-node-session";

/** A bootstrap token: `clbt_<id>.<secret>` — the id is public (lists, audit), the secret is stored only as its SHA-256. */
export const BOOTSTRAP_TOKEN_PREFIX = "clbt_";
export const BOOTSTRAP_TOKEN = /^clbt_([a-z0-9]{8})\.([A-Za-z0-9_-]{43})$/;

/** The Certificate that holds a node's identity. */
export const nodeCertificateName = (node: string) => `node-${node}`;

export interface BootstrapTokenRequest {
  /** A duration such as 1h or 30m: how long the token may be used; at most 24h (default 1h). */
  ttl?: string;
  /** How many joins it allows (default 1, at most 100). */
  uses?: number;
  /** When set, only a node of this name may join with it. */
  node?: string;
  description?: string;
}

export interface BootstrapTokenInfo {
  id: string;
  /** RFC 3339. */
  expiresAt: string;
  usesLeft: number;
  node?: string;
  description?: string;
  createdBy: string;
  /** RFC 3339. */
  createdAt: string;
}

export interface BootstrapTokenCreated extends BootstrapTokenInfo {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "BootstrapToken";
  /** The whole token, shown this once: the server keeps only its hash. */
  token: string;
}

export interface BootstrapTokenList {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "BootstrapTokenList";
  items: BootstrapTokenInfo[];
}

export interface JoinRequest {
  /** The node's name: a DNS label; the CSR's common name must be the same. */
  node: string;
  /** PEM PKCS#10, signed by the node's new key (ECDSA P-256 or Ed25519). */
  csr: string;
}

export interface CsrRequest {
  csr: string;
}

export interface NodeCredentials {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "NodeCredentials";
  node: string;
  certificateName: string;
  serialNumber: string;
  /** RFC 3339. */
  notAfter: string;
  /** When the agent should renew (RFC 3339): two thirds into the certificate's life. */
  renewalTime: string;
  /** The node's certificate, PEM. */
  certificate: string;
  /** The intermediates up to (not including) the root, PEM; may be empty. */
  chain: string;
  /** The root CA to trust for the gateway, PEM. */
  ca: string;
}

export type MeshProviderName = "wireguard" | "tailscale" | "none";

/** What the agent tells the server as the session opens. */
export interface SessionHello {
  agentVersion: string;
  /** Addresses on the node (not loopback). */
  addresses: string[];
  mesh: {
    provider: MeshProviderName;
    /** WireGuard: the base64 X25519 public key. */
    publicKey?: string;
    listenPort?: number;
    /** host:port where peers reach the node; absent: the session's source address and listenPort. */
    endpoint?: string;
    /** clawnode.toml allowed_ips. */
    allowedIPs?: string[];
    /** Tailscale: the tailnet address, once up. */
    address?: string;
    /** What is wrong, with how to fix it (Tailscale missing, wg failed). */
    message?: string;
  };
  /** Whether the agent enforces the blocklist in its kernel ([network.firewall] enforce_blocklist). */
  enforceBlocklist: boolean;
}

export interface MeshPeer {
  /** The peer node's name. */
  name: string;
  publicKey: string;
  /** host:port; absent when the peer gave none and none was seen. */
  endpoint?: string;
  /** The peer's mesh address as a host route (10.100.0.7/32). */
  allowedIPs: string[];
}

export type SessionMessage =
  | {
      type: "Welcome";
      sessionId: string;
      /** The server holding the session. */
      gateway: string;
      heartbeatIntervalSeconds: number;
      heartbeatTimeoutSeconds: number;
      /** WireGuard: the node's mesh address with the mesh CIDR's prefix length (10.100.0.5/16). */
      meshAddress?: string;
    }
  /** The whole peer list, sent at open and whenever it changes. */
  | { type: "Peers"; peers: MeshPeer[] }
  /** The whole list of actively blocked CIDRs, sent at open and whenever it changes, when the agent enforces it. */
  | { type: "Blocklist"; cidrs: string[] }
  /** Sent at the heartbeat interval so a dead server is noticed. */
  | { type: "Ping" }
  /** The last line before the server ends the session. */
  | { type: "Goodbye"; reason: DisconnectReason; message: string };

export type DisconnectReason = "Closed" | "HeartbeatTimeout" | "CertificateRevoked" | "Removed" | "Replaced" | "ServerShutdown";

export interface Heartbeat {
  sessionId: string;
  addresses?: string[];
  mesh?: {
    address?: string;
    peers?: number;
    peersUp?: number;
    /** RFC 3339. */
    latestHandshakeTime?: string;
    message?: string;
  };
}

export interface HeartbeatAnswer {
  /** When the node's certificate should be renewed (RFC 3339), so the agent need not parse it. */
  renewalTime?: string;
}
