// DIR/admin.conf: a kubeconfig for the bootstrap admin, usable by claw and kubectl alike (mode 0600). When the
// server requires client certificates it also carries the admin's client certificate, so requiring them
// never locks the admin out.

import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parse as parseYaml, stringify } from "yaml";
import { buildKubeconfig } from "../cli/config/kubeconfig.js";

export interface AdminClientCertificate {
  certificatePem: string;
  keyPem: string;
}

type Doc = { clusters?: { cluster?: Record<string, string> }[]; users?: { user?: Record<string, string> }[] };

/**
 * Writes a new admin.conf when a token is given; otherwise points an existing one at the current URL, CA and
 * client certificate. Returns false when there is neither a token nor a file.
 */
export function writeAdminConfig(opts: { path: string; server: string; token?: string; caPem?: string; clientCert?: AdminClientCertificate }): boolean {
  const caData = opts.caPem ? Buffer.from(opts.caPem).toString("base64") : undefined;
  const certData = opts.clientCert ? { "client-certificate-data": b64(opts.clientCert.certificatePem), "client-key-data": b64(opts.clientCert.keyPem) } : undefined;
  if (opts.token) {
    const config = buildKubeconfig({ name: "claw", server: opts.server, user: "admin", token: opts.token, ...(caData ? { cluster: { "certificate-authority-data": caData } } : {}) }) as unknown as Doc;
    if (certData && config.users?.[0]?.user) Object.assign(config.users[0].user, certData);
    save(opts.path, config);
    return true;
  }
  if (!existsSync(opts.path)) return false;
  const doc = parseYaml(readFileSync(opts.path, "utf8")) as Doc;
  const cluster = doc?.clusters?.[0]?.cluster;
  const user = doc?.users?.[0]?.user;
  let changed = false;
  if (cluster && (cluster.server !== opts.server || (caData && cluster["certificate-authority-data"] !== caData))) {
    cluster.server = opts.server;
    if (caData) cluster["certificate-authority-data"] = caData;
    changed = true;
  }
  if (user && certData && (user["client-certificate-data"] !== certData["client-certificate-data"] || user["client-key-data"] !== certData["client-key-data"])) {
    Object.assign(user, certData);
    changed = true;
  }
  if (changed) save(opts.path, doc);
  return true;
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

function save(path: string, doc: unknown): void {
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  chmodSync(path, 0o600);
}
