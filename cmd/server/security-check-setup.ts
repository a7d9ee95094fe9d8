// The checklist's Initial Setup, Network and Monitoring items: JWT secret, PKI, TLS, mTLS, mesh, audit, DDoS,
// geographic restrictions, SIEM shipping. Each judge is pure; the first line of each says what passes.

import { findCondition } from "../../api/machinery/conditions.js";
import { ROOT_CA_NAME } from "../../api/types/pki-api.js";
import { fail, nameList, notApplicable, pass, plural, type CheckDefinition, type SecurityCheckInput } from "./security-check-input.js";

/** 32 bytes of entropy, what `openssl rand -hex 32` gives. */
export const MIN_JWT_ENTROPY_BITS = 256;
const SERVING_PREFIX = "claw-server-";

/**
 * Estimated entropy of a secret: its length × log2 of the alphabet its characters suggest (hex 16, base64 64,
 * otherwise the union of the classes it uses), or length × its per-character Shannon entropy when that is under
 * 3 bits (repeated or patterned text). A heuristic: it cannot prove randomness, only catch obvious weakness.
 */
export function jwtSecretEntropyBits(secret: string): number {
  const chars = [...secret];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let shannon = 0;
  for (const n of counts.values()) shannon -= (n / chars.length) * Math.log2(n / chars.length);
  if (shannon < 3) return Math.floor(chars.length * shannon);
  const alphabet = /^[0-9a-f]+$/.test(secret) || /^[0-9A-F]+$/.test(secret) ? 16 : /^[A-Za-z0-9+/=_-]+$/.test(secret) ? 64 : classAlphabet(secret);
  return Math.floor(chars.length * Math.log2(alphabet));
}

const classAlphabet = (s: string): number => (/[a-z]/.test(s) ? 26 : 0) + (/[A-Z]/.test(s) ? 26 : 0) + (/[0-9]/.test(s) ? 10 : 0) + (/[^A-Za-z0-9]/.test(s) ? 33 : 0);

const readyCa = (input: SecurityCheckInput) => input.certificates.find((c) => c.metadata.name === ROOT_CA_NAME);
const isReady = (conditions: Parameters<typeof findCondition>[0]) => findCondition(conditions, "Ready")?.status === "True";

export const SETUP_CHECKS: readonly CheckDefinition[] = [
  {
    id: "jwt-secret",
    title: "Strong JWT secret from the environment",
    section: "Initial Setup",
    severity: "high",
    remediation: 'export CLAWBERNETES_JWT_SECRET="$(openssl rand -hex 32)" and set [auth.jwt] secret_env = "CLAWBERNETES_JWT_SECRET"',
    // Passes: the secret comes from secret_env and is estimated at ≥ 256 bits; a store-generated one fails (the guide: use environment variables).
    judge: ({ jwt }) => {
      if (jwt.source === "store") return fail("[auth.jwt] secret_env is not set: sessions are signed with the 32-byte secret the servers generated and keep in the store, which the guide's checklist replaces with one from the environment");
      const bits = jwt.estimatedBits ?? 0;
      const facts = `the secret in ${jwt.secretEnv} is ${jwt.bytes ?? 0} bytes with an estimated ${bits} bits of entropy`;
      return bits >= MIN_JWT_ENTROPY_BITS ? pass(`${facts} (≥ ${MIN_JWT_ENTROPY_BITS})`) : fail(`${facts}, under ${MIN_JWT_ENTROPY_BITS}`);
    },
  },
  {
    id: "pki",
    title: "PKI initialised (root CA Ready)",
    section: "Initial Setup",
    severity: "high",
    remediation: "claw pki init (then claw pki list to see the root CA Ready)",
    // Passes: the root CA Certificate exists and is Ready=True.
    judge: (input) => {
      const ca = readyCa(input);
      if (!ca) return fail(`there is no Certificate ${ROOT_CA_NAME}`);
      const ready = findCondition(ca.status?.conditions, "Ready");
      return ready?.status === "True" ? pass(`the root CA ${ROOT_CA_NAME} is Ready, valid until ${ca.status?.notAfter ?? "unknown"}`) : fail(`the root CA ${ROOT_CA_NAME} is not Ready (${ready?.reason ?? "no Ready condition"})`);
    },
  },
  {
    id: "tls",
    title: "TLS on with valid certificates and min_version 1.3",
    section: "Network",
    severity: "critical",
    remediation: 'gateway.toml [tls]: remove enabled = false, set min_version = "1.3"; renew the certificate (claw pki list, or replace the [tls] cert file)',
    // Passes: TLS serves, minimum TLS 1.3, and the serving certificate is Ready (own) or unexpired (files).
    judge: ({ tls, certificates, nowMs }) => {
      if (!tls.enabled) return fail("[tls] enabled = false: the API is served over plain HTTP");
      if (tls.minVersion !== "TLSv1.3") return fail(`TLS is on but [tls] min_version allows ${tls.minVersion ?? "unknown"}`);
      if (tls.ownCertificate) {
        const serving = certificates.filter((c) => c.metadata.name.startsWith(SERVING_PREFIX));
        const bad = serving.filter((c) => !isReady(c.status?.conditions) || !c.status?.notAfter || Date.parse(c.status.notAfter) <= nowMs);
        if (serving.length === 0) return fail("TLS 1.3 is on but no serving Certificate (claw-server-*) was found");
        if (bad.length > 0) return fail(`TLS 1.3 is on but the serving Certificate(s) ${nameList(bad.map((c) => c.metadata.name))} are not Ready or have expired`);
        return pass(`TLS 1.3 minimum, served with ${plural(serving.length, "Ready serving Certificate")} issued by claw's CA`);
      }
      if (!tls.fileNotAfter || Date.parse(tls.fileNotAfter) <= nowMs) return fail(`TLS 1.3 is on but the [tls] cert file expired (${tls.fileNotAfter ?? "unreadable"})`);
      return pass(`TLS 1.3 minimum, served with the [tls] cert file valid until ${tls.fileNotAfter}`);
    },
  },
  {
    id: "mtls-nodes",
    title: "mTLS for nodes (client certificates required)",
    section: "Network",
    severity: "high",
    remediation: "gateway.toml [tls] require_client_cert = true; nodes join with claw node token + a CSR so each holds a certificate",
    // Passes: require_client_cert is on and every registered Node holds a certificate.
    judge: ({ tls, nodes }) => {
      const without = nodes.filter((n) => !n.status?.certificate?.serialNumber).map((n) => n.metadata.name);
      const nodeFacts = nodes.length === 0 ? "no Nodes are registered" : without.length > 0 ? `Node(s) ${nameList(without)} hold no certificate` : `all ${plural(nodes.length, "Node")} hold certificates`;
      if (!tls.enabled || !tls.requireClientCert) return fail(`[tls] require_client_cert is off (clients may connect without a certificate); ${nodeFacts}`);
      return without.length > 0 ? fail(`require_client_cert is on, but ${nodeFacts}`) : pass(`require_client_cert is on; ${nodeFacts}`);
    },
  },
  {
    id: "mesh",
    title: "WireGuard or Tailscale mesh between nodes",
    section: "Initial Setup",
    severity: "medium",
    remediation: "run the node agent with its mesh enabled (claw node mesh) so each Node reports status.mesh with provider wireguard or tailscale",
    // Passes: every Node reports a wireguard or tailscale mesh; n/a without Nodes.
    judge: ({ nodes }) => {
      if (nodes.length === 0) return notApplicable("no Nodes are registered");
      const off = nodes.filter((n) => n.status?.mesh?.provider !== "wireguard" && n.status?.mesh?.provider !== "tailscale").map((n) => n.metadata.name);
      return off.length > 0 ? fail(`${plural(off.length, "Node")} report no WireGuard or Tailscale mesh: ${nameList(off)}`) : pass(`all ${plural(nodes.length, "Node")} report a WireGuard or Tailscale mesh`);
    },
  },
  {
    id: "audit",
    title: "Audit logging with a hash chain and signed checkpoints",
    section: "Initial Setup",
    severity: "critical",
    remediation: "gateway.toml [audit] enabled = true, hash_chain = true, sign_logs = true",
    // Passes: audit on, hash-chained and signed.
    judge: ({ audit }) => {
      if (!audit.enabled) return fail("[audit] enabled = false: no audit log is kept");
      if (!audit.hashChain || !audit.signLogs) return fail(`the audit log is kept but ${!audit.hashChain ? "not hash-chained" : "its checkpoints are not signed (sign_logs = false)"}`);
      return pass("the audit log is on, hash-chained, with signed checkpoints");
    },
  },
  {
    id: "ddos",
    title: "DDoS protection on",
    section: "Network",
    severity: "high",
    remediation: "gateway.toml [ddos] enabled = true, shadow = false",
    // Passes: the guard is on and enforcing (not shadow mode).
    judge: ({ ddos }) =>
      !ddos.enabled ? fail("[ddos] enabled = false: no connection, rate or compute limits") : ddos.shadow ? fail("[ddos] shadow = true: decisions are logged, nothing is refused") : pass("the gateway guard is on and enforcing"),
  },
  {
    id: "geo",
    title: "Geographic restrictions considered",
    section: "Network",
    severity: "low",
    remediation: "gateway.toml [ddos.geo] enabled = true with a country database and allow/deny lists",
    // Passes: [ddos.geo] is on (the guide says "consider", hence low).
    judge: ({ ddos }) => (ddos.geoEnabled ? pass("[ddos.geo] is on") : fail("[ddos.geo] is off: requests are not restricted by country")),
  },
  {
    id: "siem",
    title: "Audit shipped to a SIEM",
    section: "Monitoring",
    severity: "medium",
    remediation: 'gateway.toml [audit.export] enabled = true, endpoint = "https://siem.example.com/ingest", token_env = "SIEM_TOKEN"',
    // Passes: [audit.export] ships the log (only the endpoint's host is shown).
    judge: ({ audit }) =>
      audit.enabled && audit.exportEnabled ? pass(`audit entries are shipped to ${audit.exportHost ?? "the [audit.export] endpoint"}`) : fail(audit.enabled ? "[audit.export] is off: entries stay in the store" : "[audit] is off, so nothing is shipped"),
  },
  {
    id: "alerts",
    title: "Alerts on failed authentication and unusual activity",
    section: "Monitoring",
    severity: "medium",
    remediation: 'gateway.toml [alerts] enabled = true, webhook = "https://alerts.example.com/claw" (docs/alerts.md)',
    // Passes: [alerts] is on with its failed-login rules and delivers to a webhook; recorded-only alerts reach no one.
    judge: ({ alerts }) => {
      if (!alerts.enabled) return fail("[alerts] is off: repeated failed logins and 403 bursts are logged but alert no one");
      const missing = ["failed_logins_per_user", "failed_logins_per_source"].filter((r) => !alerts.rules.includes(r));
      if (missing.length > 0) return fail(`[alerts] is on but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} disabled`);
      if (!alerts.webhookHost) return fail("[alerts] is on but has no webhook: alerts are recorded in the audit log and metrics, and delivered to no one");
      return pass(`alerts (${alerts.rules.join(", ")}) are delivered to ${alerts.webhookHost}`);
    },
  },
];
