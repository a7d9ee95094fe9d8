// One HTTPS request as a client with a CA, an optional client certificate and an optional bearer token:
// resolves with the status and JSON body, rejects when the connection is refused (a revoked certificate).

import { Agent, request } from "node:https";

export interface HttpsClient {
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  /** A keep-alive agent, to hold one connection across calls; a fresh connection per call otherwise. */
  agent?: Agent;
}

export function httpsCall<T = Record<string, unknown>>(url: string, path: string, client: HttpsClient, init: { method?: string; json?: unknown } = {}): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      {
        method: init.method ?? "GET",
        ca: client.ca,
        ...(client.cert ? { cert: client.cert, key: client.key } : {}),
        agent: client.agent ?? false,
        headers: { ...(client.token ? { Authorization: `Bearer ${client.token}` } : {}), ...(init.json !== undefined ? { "Content-Type": "application/json" } : {}) },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init.json !== undefined ? JSON.stringify(init.json) : undefined);
  });
}

/** The admin token and CA of an admin.conf. */
export function adminConfOf(text: string, parse: (t: string) => unknown): HttpsClient {
  const conf = parse(text) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
  const user = conf.users[0]!.user;
  const decode = (v: string | undefined) => (v ? Buffer.from(v, "base64").toString() : undefined);
  const cert = decode(user["client-certificate-data"]);
  const key = decode(user["client-key-data"]);
  return { ca: decode(conf.clusters[0]!.cluster["certificate-authority-data"]) ?? "", ...(user.token ? { token: user.token } : {}), ...(cert && key ? { cert, key } : {}) };
}
