// A focused imitation of the bootstrap-token endpoints (api/types/nodes-api.ts) for the `claw node token` tests:
// create, list, delete, with one credential. It keeps each token's secret only to let a test look for it in output.

import type { IncomingMessage, ServerResponse } from "node:http";
import { startLoopbackServer } from "../../../api/client/testing/loopback-server.js";
import { BOOTSTRAP_TOKEN_PREFIX, nodesPaths, type BootstrapTokenInfo, type BootstrapTokenRequest } from "../../../api/types/nodes-api.js";

export interface FakeNodeTokenServerOptions {
  /** The credential every request must carry. */
  adminKey: string;
  /** RFC 3339: createdAt of new tokens and the base of their expiry. */
  now: string;
  /** Answers the list with each token's secret and hash too, as a broken server might. */
  leakSecrets?: boolean;
}

export interface FakeNodeTokenServer {
  url: string;
  requests: { method: string; path: string; body: string }[];
  /** The tokens held, by id, with the whole token. */
  tokens: Map<string, BootstrapTokenInfo & { token: string }>;
  close(): Promise<void>;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };
const status = (code: number, reason: string, message: string) => ({ apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message, reason, code });

export async function startFakeNodeTokenServer(options: FakeNodeTokenServerOptions): Promise<FakeNodeTokenServer> {
  const requests: FakeNodeTokenServer["requests"] = [];
  const tokens: FakeNodeTokenServer["tokens"] = new Map();
  let minted = 0;

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const send = (code: number, value: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${options.adminKey}`) return send(401, status(401, "Unauthorized", "Unauthorized"));
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const method = req.method ?? "GET";
    if (path === nodesPaths.tokens && method === "POST") {
      const request = JSON.parse(body) as BootstrapTokenRequest;
      const [, amount, unit] = /^(\d+)([hms])$/.exec(request.ttl ?? "1h") ?? [];
      const id = `tok${String(++minted).padStart(5, "0")}`;
      const info: BootstrapTokenInfo = {
        id,
        expiresAt: new Date(Date.parse(options.now) + Number(amount) * (UNIT_MS[unit ?? "h"] ?? 0)).toISOString().replace(".000Z", "Z"),
        usesLeft: request.uses ?? 1,
        ...(request.node ? { node: request.node } : {}),
        ...(request.description ? { description: request.description } : {}),
        createdBy: "admin",
        createdAt: options.now,
      };
      const token = `${BOOTSTRAP_TOKEN_PREFIX}${id}.${"S".repeat(42)}${minted % 10}`;
      tokens.set(id, { ...info, token });
      return send(201, { apiVersion: "security.clawbernetes.com/v1", kind: "BootstrapToken", ...info, token });
    }
    if (path === nodesPaths.tokens && method === "GET") {
      const items = [...tokens.values()].map(({ token, ...info }) => (options.leakSecrets ? { ...info, token, sha256: "ab".repeat(32) } : info));
      return send(200, { apiVersion: "security.clawbernetes.com/v1", kind: "BootstrapTokenList", items });
    }
    const prefix = nodesPaths.token("");
    if (path.startsWith(prefix) && method === "DELETE") {
      const id = decodeURIComponent(path.slice(prefix.length));
      const found = tokens.get(id);
      if (!found) return send(404, status(404, "NotFound", `bootstraptokens.security.clawbernetes.com "${id}" not found`));
      tokens.delete(id);
      const { token: _secret, ...info } = found;
      return send(200, info);
    }
    return send(404, status(404, "NotFound", `the server could not find the requested resource (${path})`));
  };

  const loopback = await startLoopbackServer((req, res, body) => {
    requests.push({ method: req.method ?? "GET", path: req.url ?? "/", body });
    handle(req, res, body);
  });
  return { url: loopback.url, requests, tokens, close: () => loopback.close() };
}
