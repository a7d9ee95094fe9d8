// DIR/admin.conf: a kubeconfig for the bootstrap admin, usable by claw and kubectl alike (mode 0600).

import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse as parseYaml, stringify } from "yaml";
import { buildKubeconfig } from "../cli/config/kubeconfig.js";

/**
 * Writes a new admin.conf when a token is given; otherwise points an existing one at the current URL.
 * Returns false when there is neither a token nor a file.
 */
export function writeAdminConfig(opts: { path: string; server: string; token?: string; caPem?: string }): boolean {
  const caData = opts.caPem ? Buffer.from(opts.caPem).toString("base64") : undefined;
  if (opts.token) {
    const config = buildKubeconfig({ name: "claw", server: opts.server, user: "admin", token: opts.token, ...(caData ? { cluster: { "certificate-authority-data": caData } } : {}) });
    writeFileSync(opts.path, stringify(config), { mode: 0o600 });
    chmodSync(opts.path, 0o600);
    return true;
  }
  if (!existsSync(opts.path)) return false;
  const doc = parseYaml(readFileSync(opts.path, "utf8")) as { clusters?: { cluster?: Record<string, string> }[] };
  const cluster = doc?.clusters?.[0]?.cluster;
  if (cluster && (cluster.server !== opts.server || (caData && cluster["certificate-authority-data"] !== caData))) {
    cluster.server = opts.server;
    if (caData) cluster["certificate-authority-data"] = caData;
    writeFileSync(opts.path, stringify(doc), { mode: 0o600 });
  }
  return true;
}
