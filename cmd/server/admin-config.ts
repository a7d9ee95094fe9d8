// DIR/admin.conf: a kubeconfig for the bootstrap admin, usable by claw and kubectl alike (mode 0600).

import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse as parseYaml, stringify } from "yaml";
import { buildKubeconfig } from "../cli/config/kubeconfig.js";

/**
 * Writes a new admin.conf when a token is given; otherwise points an existing one at the current URL.
 * Returns false when there is neither a token nor a file.
 */
export function writeAdminConfig(opts: { path: string; server: string; token?: string }): boolean {
  if (opts.token) {
    writeFileSync(opts.path, stringify(buildKubeconfig({ name: "claw", server: opts.server, user: "admin", token: opts.token })), { mode: 0o600 });
    chmodSync(opts.path, 0o600);
    return true;
  }
  if (!existsSync(opts.path)) return false;
  const doc = parseYaml(readFileSync(opts.path, "utf8")) as { clusters?: { cluster?: { server?: string } }[] };
  const cluster = doc?.clusters?.[0]?.cluster;
  if (cluster && cluster.server !== opts.server) {
    cluster.server = opts.server;
    writeFileSync(opts.path, stringify(doc), { mode: 0o600 });
  }
  return true;
}
