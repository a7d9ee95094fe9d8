// `claw pki issue gateway|node`: the flags checked and turned into a Certificate, before any request.

import { isIP } from "node:net";
import { API_VERSION } from "../../../api/machinery/meta.js";
import { kind, type Certificate, type CertificateSpec, type CertificateUsage } from "../../../api/types/certificate.js";
import { DURATION_PATTERN, parseDuration } from "../../../api/types/duration.js";
import { NODE_ORGANIZATION, ROOT_CA_NAME } from "../../../api/types/pki-api.js";
import { UsageError } from "../cli-errors.js";

export interface IssueFlags {
  name?: string;
  dns?: string[];
  ip?: string[];
  duration?: string;
}

/** What `issue` writes: the object, and the base name of its files in --dir. */
export interface IssuePlan {
  certificate: Certificate;
  fileBase: string;
}

const GATEWAY_USAGES: CertificateUsage[] = ["digital signature", "key encipherment", "server auth"];
const NODE_USAGES: CertificateUsage[] = ["digital signature", "key encipherment", "client auth", "server auth"];
const COMMON_NAME_MAX = 64;

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const DNS_NAME = new RegExp(`^(\\*\\.)?${LABEL}(\\.${LABEL})*$`);
const DURATION = new RegExp(DURATION_PATTERN);

export function gatewayPlan(flags: IssueFlags): IssuePlan {
  const name = objectName(flags.name ?? "gateway", "--name");
  const dnsNames = parseDnsNames(flags.dns);
  const ipAddresses = parseIpAddresses(flags.ip);
  if (dnsNames.length === 0 && ipAddresses.length === 0) throw new UsageError("a gateway certificate needs the names clients reach it by: --dns NAME… and/or --ip ADDRESS…, such as --dns gateway.example.com --ip 10.0.0.1");
  // The first DNS name, as browsers and cert-manager do; a name too long for a CN leaves that to the SANs.
  const first = dnsNames[0];
  const commonName = first && first.length <= COMMON_NAME_MAX ? first : name.slice(0, COMMON_NAME_MAX);
  return { fileBase: name, certificate: certificate(name, { commonName, dnsNames, ipAddresses, usages: GATEWAY_USAGES, duration: flags.duration }) };
}

export function nodePlan(flags: IssueFlags): IssuePlan {
  if (flags.name === undefined) throw new UsageError("say which node: --name NODE, such as --name gpu-node-1");
  const node = objectName(flags.name, "--name");
  if (node.length > COMMON_NAME_MAX) throw new UsageError(`--name: "${node}" is longer than ${COMMON_NAME_MAX} characters, the most a certificate's common name (the node's identity) may have`);
  const spec = { commonName: node, organizations: [NODE_ORGANIZATION], dnsNames: parseDnsNames(flags.dns), ipAddresses: parseIpAddresses(flags.ip), usages: NODE_USAGES, duration: flags.duration };
  return { fileBase: "node", certificate: certificate(`node-${node}`, spec) };
}

interface SpecParts {
  commonName: string;
  organizations?: string[];
  dnsNames: string[];
  ipAddresses: string[];
  usages: CertificateUsage[];
  duration: string | undefined;
}

function certificate(name: string, parts: SpecParts): Certificate {
  const spec: CertificateSpec = {
    issuerRef: { name: ROOT_CA_NAME },
    commonName: parts.commonName,
    ...(parts.organizations ? { subject: { organizations: parts.organizations } } : {}),
    ...(parts.dnsNames.length ? { dnsNames: parts.dnsNames } : {}),
    ...(parts.ipAddresses.length ? { ipAddresses: parts.ipAddresses } : {}),
    usages: parts.usages,
    ...(parts.duration !== undefined ? { duration: parseCertificateDuration(parts.duration) } : {}),
  };
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec };
}

/** --dns: lowercase DNS names (a leading *. for a wildcard), repeated or comma-separated; duplicates dropped. */
export function parseDnsNames(values: readonly string[] | undefined): string[] {
  const names = splitValues(values).map((text) => {
    const name = text.toLowerCase();
    if (isIP(name)) throw new UsageError(`--dns: "${text}" is an IP address; pass it with --ip`);
    if (name.endsWith(".")) throw new UsageError(`--dns: "${text}" ends with a dot; write it without, such as ${name.replace(/\.+$/, "") || "gateway.example.com"}`);
    const labels = name.replace(/^\*\./, "").split(".");
    if (!DNS_NAME.test(name) || name.length > 253 || labels.some((l) => l.length > 63)) {
      throw new UsageError(`--dns: "${text}" is not a DNS name: letters, digits and hyphens in dot-separated labels of at most 63 characters (a leading *. for a wildcard), such as gateway.example.com`);
    }
    return name;
  });
  return [...new Set(names)];
}

/** --ip: IPv4 or IPv6 addresses, repeated or comma-separated; duplicates dropped. */
export function parseIpAddresses(values: readonly string[] | undefined): string[] {
  const addresses = splitValues(values).map((text) => {
    if (text.includes("/")) throw new UsageError(`--ip: "${text}" is a network; a certificate names single addresses, such as 10.0.0.1`);
    if (isIP(text) === 0 || text.includes("%")) throw new UsageError(`--ip: "${text}" is not an IP address, such as 10.0.0.1 or fd00::1`);
    return text.toLowerCase();
  });
  return [...new Set(addresses)];
}

/** --duration: how long the certificate lives, in the CRD's duration form. */
export function parseCertificateDuration(text: string): string {
  if (!DURATION.test(text)) throw new UsageError(`--duration: "${text}" is not a duration; write a number and a unit d, h, m or s, such as 2160h or 90d`);
  return text;
}

/** --timeout: how long to wait for the controllers, in milliseconds. */
export function parseTimeout(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--timeout: "${text}" is not a duration; write a number and a unit d, h, m or s, such as 60s or 5m`);
  }
}

function objectName(text: string, flag: string): string {
  if (!SUBDOMAIN.test(text) || text.length > 253) throw new UsageError(`${flag}: "${text}" is not a valid name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, such as gpu-node-1`);
  return text;
}

const splitValues = (values: readonly string[] | undefined): string[] =>
  (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
