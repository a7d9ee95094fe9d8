// One controller failover, measured: SIGKILL the server whose controllers lead, with work in flight that only a
// leader does (a BlockRule about to expire, Certificates to issue, a Secret to generate), and time how long until
// another server's controllers act on it. The work has fixed names, so a successor redoing it would show as a
// second certificates.issued or secrets.rotated audit entry.

import type { KubeObject } from "../../api/machinery/meta.js";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { ROOT_CA_NAME } from "../../api/types/pki-api.js";
import type { LocalCluster } from "./cluster.js";
import { leaderIndex, until } from "./probes.js";

const API_VERSION = "security.clawbernetes.com/v1";

export interface FailoverResult {
  killed: number;
  successor: number;
  /** SIGKILL to the successor's controllers acting (the expired BlockRule's status says Expired). */
  timeToActMs: number;
  /** The objects made for this failover, to check for double work. */
  certificates: string[];
  secrets: string[];
}

export interface FailoverOptions {
  /** Distinguishes this failover's objects (fixed names per round). */
  round: number;
  /** How many Certificates are waiting to be issued as the leader dies. Default 2. */
  certificates?: number;
  /** Give up waiting for the successor after this long. Default 40 s. */
  timeoutMs?: number;
  /** Restart the killed server afterwards (default true), so the cluster keeps its size. */
  restart?: boolean;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface WithConditions extends KubeObject {
  status?: { conditions?: Condition[] };
}

export async function killLeaderAndMeasure(cluster: LocalCluster, opts: FailoverOptions): Promise<FailoverResult> {
  const survivorOf = (i: number) => (i + 1) % cluster.servers.specs.length;
  const first = cluster.client(0, { group: "coordination.clawbernetes.com" });
  let leader: number;
  try {
    leader = await leaderIndex(cluster, first);
  } finally {
    await first.close();
  }
  const via = cluster.client(survivorOf(leader));
  try {
    const certificates = Array.from({ length: opts.certificates ?? 2 }, (_, i) => `failover-${opts.round}-cert-${i}`);
    const secrets = [`failover-${opts.round}-secret`];
    const rule = `failover-${opts.round}-block`;
    // Expires a moment after the kill, so only a successor can mark it expired.
    await via.create("blockrules", { apiVersion: API_VERSION, kind: "BlockRule", metadata: { name: rule }, spec: { cidr: `198.51.100.${(opts.round % 250) + 1}`, reason: "failover probe", expiresAt: toRfc3339(Date.now() + 1500) } });
    for (const name of certificates) await via.create("certificates", certificate(name));
    for (const name of secrets) await via.create("secrets", secret(name));
    const killedAt = Date.now();
    await cluster.stopServer(leader, "SIGKILL");
    const expired = await until(`the blockrule ${rule} to be marked expired by a successor`, opts.timeoutMs ?? 40_000, async () => {
      const obj = await via.get<WithConditions>("blockrules", rule);
      return obj.status?.conditions?.some((c) => c.type === "Active" && c.status === "False" && c.reason === "Expired") ? Date.now() : undefined;
    }, 50);
    const timeToActMs = expired - killedAt;
    const coordination = cluster.client(survivorOf(leader), { group: "coordination.clawbernetes.com" });
    const successor = await leaderIndex(cluster, coordination).finally(() => coordination.close());
    await until("the certificates to be issued", 30_000, async () => {
      const ready = await Promise.all(certificates.map(async (name) => (await via.get<WithConditions>("certificates", name)).status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")));
      return ready.every(Boolean) ? true : undefined;
    }, 200);
    if (opts.restart ?? true) await cluster.startServer(leader);
    return { killed: leader, successor, timeToActMs, certificates, secrets };
  } finally {
    await via.close();
  }
}

const certificate = (name: string): KubeObject => ({
  apiVersion: API_VERSION,
  kind: "Certificate",
  metadata: { name },
  spec: { issuerRef: { name: ROOT_CA_NAME }, commonName: `${name}.example.com`, dnsNames: [`${name}.example.com`], usages: ["digital signature", "server auth"], duration: "2160h", privateKey: { algorithm: "ECDSA", size: 256 } },
});

const secret = (name: string): KubeObject => ({
  apiVersion: API_VERSION,
  kind: "Secret",
  metadata: { name },
  spec: { description: "failover probe", valueFrom: { generate: { length: 32, charset: "alphanumeric" } }, allowedWorkloads: ["probe"], rotation: { autoRotate: true, intervalDays: 30 } },
});

/** Names audited more than once for `type` among `names`: a certificate issued twice, a secret rotated twice. */
export function doneTwice(counts: Map<string, number>, names: readonly string[]): string[] {
  return names.filter((n) => (counts.get(n) ?? 0) > 1);
}

