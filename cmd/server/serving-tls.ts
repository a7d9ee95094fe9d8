// The server's TLS: the guide's [tls] section (cert, key, ca, require_client_cert, min_version,
// cipher_suites), checked and turned into a plan; by default the server serves with its own Certificate
// (api/pki), issued by the root CA all servers on one store share.

import { readFileSync } from "node:fs";
import type { ServerTlsRequest } from "../../api/pki/pki-module.js";
import { ConfigError, type ServerConfig } from "./server-config.js";

/** The [tls] section as the server applies it. */
export interface TlsPlan {
  /** Undefined when [tls] enabled = false: plain HTTP, for a TLS-terminating proxy in front. */
  base?: ServerTlsRequest["base"];
  /** True when the server serves with its own Certificate (no cert/key files named). */
  ownCertificate: boolean;
  requireClientCert: boolean;
}

/** The TLS 1.3 suites OpenSSL offers, by their IANA names. */
export const TLS13_SUITES = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"];

const TLS_KEYS = new Set(["enabled", "cert", "key", "ca", "require_client_cert", "min_version", "cipher_suites"]);

export function planServingTls(config: ServerConfig): TlsPlan {
  const raw = (config.sections.tls ?? {}) as Record<string, unknown>;
  const where = `${config.configFile ?? "config"} [tls]`;
  const unknown = Object.keys(raw).filter((k) => !TLS_KEYS.has(k));
  if (unknown.length > 0) throw new ConfigError(`${where}: unknown key(s) ${unknown.join(", ")}; known: ${[...TLS_KEYS].join(", ")}`);
  if (raw.enabled === false) return { ownCertificate: false, requireClientCert: false };
  const minVersion = raw.min_version === undefined || raw.min_version === "1.3" ? "TLSv1.3" : raw.min_version === "1.2" ? "TLSv1.2" : undefined;
  if (!minVersion) throw new ConfigError(`${where} min_version must be "1.2" or "1.3", not ${JSON.stringify(raw.min_version)}`);
  const suites = raw.cipher_suites;
  if (suites !== undefined && (!Array.isArray(suites) || suites.length === 0 || suites.some((s) => typeof s !== "string" || !TLS13_SUITES.includes(s))))
    throw new ConfigError(`${where} cipher_suites must be a non-empty list of TLS 1.3 suite names, from ${TLS13_SUITES.join(", ")}; got ${JSON.stringify(suites)}`);
  if (raw.require_client_cert !== undefined && typeof raw.require_client_cert !== "boolean") throw new ConfigError(`${where} require_client_cert must be true or false`);
  const requireClientCert = raw.require_client_cert === true;
  const clientCa = typeof raw.ca === "string" ? readPem(raw.ca, `${where} ca`) : undefined;
  if (raw.ca !== undefined && typeof raw.ca !== "string") throw new ConfigError(`${where} ca must be the path of a PEM file`);
  const common = {
    minVersion,
    ...(suites ? { cipherSuites: (suites as string[]).join(":") } : {}),
    ...(requireClientCert ? { requireClientCert: true } : {}),
    ...(clientCa ? { clientCaPem: clientCa } : {}),
  } as const;
  if (raw.cert !== undefined || raw.key !== undefined) {
    if (typeof raw.cert !== "string" || typeof raw.key !== "string") throw new ConfigError(`${where} needs both cert and key (PEM file paths)`);
    return { base: { ...common, certPem: readPem(raw.cert, `${where} cert`), keyPem: readPem(raw.key, `${where} key`) }, ownCertificate: false, requireClientCert };
  }
  return { base: common, ownCertificate: true, requireClientCert };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
