// Servers on one etcd must serve under one CA (the PKI is kept in etcd: the first server creates it, the others
// reuse it). Checked two ways: every server wrote the same ca.crt, and each one's TLS handshake verifies against
// the first server's CA alone.

import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";

export interface ServerCaSource {
  url: string;
  dataDir: string;
}

/** Returns the shared CA (PEM), or throws naming the server that serves under another one. */
export async function verifySharedCa(servers: ServerCaSource[]): Promise<string> {
  const first = servers[0];
  if (!first) throw new Error("no servers to compare");
  const ca = readFileSync(join(first.dataDir, "pki", "ca.crt"), "utf8");
  for (const server of servers.slice(1)) {
    const own = readFileSync(join(server.dataDir, "pki", "ca.crt"), "utf8");
    if (own.trim() !== ca.trim()) throw new Error(`${server.url} has its own CA (${join(server.dataDir, "pki", "ca.crt")}), not the one the first server created`);
  }
  for (const server of servers) await handshake(server.url, ca);
  return ca;
}

function handshake(url: string, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(new URL("/version", url), { ca, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve());
    });
    req.on("timeout", () => req.destroy(new Error(`${url} did not answer within 10 s`)));
    req.on("error", (err) => reject(new Error(`${url} does not serve a certificate of the shared CA: ${err.message}`)));
    req.end();
  });
}
