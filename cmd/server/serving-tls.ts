// The server's TLS: the guide's [tls] section (cert, key, ca, require_client_cert, min_version,
// cipher_suites), or, by default, a CA and serving certificate claw makes under DIR/pki.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureServingCerts } from "../../api/pki/serving-certs.js";
import type { ServingTls } from "../../api/server/api-server.js";
import { ConfigError, type ServerConfig } from "./server-config.js";

export interface ResolvedTls {
  /** Undefined when [tls] enabled = false: plain HTTP, for a TLS-terminating proxy in front. */
  serving?: ServingTls;
  /** The CA clients should trust (written into admin.conf). */
  caPem?: string;
  /** A line for the operator when files were created. */
  note?: string;
}

/** The TLS 1.3 suites OpenSSL offers, by their IANA names. */
export const TLS13_SUITES = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"];

const TLS_KEYS = new Set(["enabled", "cert", "key", "ca", "require_client_cert", "min_version", "cipher_suites"]);

export async function resolveServingTls(config: ServerConfig, now: number): Promise<ResolvedTls> {
  const raw = (config.sections.tls ?? {}) as Record<string, unknown>;
  const where = `${config.configFile ?? "config"} [tls]`;
  const unknown = Object.keys(raw).filter((k) => !TLS_KEYS.has(k));
  if (unknown.length > 0) throw new ConfigError(`${where}: unknown key(s) ${unknown.join(", ")}; known: ${[...TLS_KEYS].join(", ")}`);
  if (raw.enabled === false) return {};
  const minVersion = raw.min_version === undefined || raw.min_version === "1.3" ? "TLSv1.3" : raw.min_version === "1.2" ? "TLSv1.2" : undefined;
  if (!minVersion) throw new ConfigError(`${where} min_version must be "1.2" or "1.3", not ${JSON.stringify(raw.min_version)}`);
  const suites = raw.cipher_suites;
  if (suites !== undefined && (!Array.isArray(suites) || suites.length === 0 || suites.some((s) => typeof s !== "string" || !TLS13_SUITES.includes(s))))
    throw new ConfigError(`${where} cipher_suites must be a non-empty list of TLS 1.3 suite names, from ${TLS13_SUITES.join(", ")}; got ${JSON.stringify(suites)}`);
  const common = {
    minVersion,
    ...(suites ? { cipherSuites: (suites as string[]).join(":") } : {}),
    ...(raw.require_client_cert === true ? { requireClientCert: true } : {}),
  } as const;
  const clientCa = typeof raw.ca === "string" ? readPem(raw.ca, `${where} ca`) : undefined;
  if (raw.require_client_cert === true && !clientCa) throw new ConfigError(`${where} require_client_cert needs ca = "<file of the CA that signs client certificates>"`);

  if (raw.cert !== undefined || raw.key !== undefined) {
    if (typeof raw.cert !== "string" || typeof raw.key !== "string") throw new ConfigError(`${where} needs both cert and key (PEM file paths)`);
    return {
      serving: { certPem: readPem(raw.cert, `${where} cert`), keyPem: readPem(raw.key, `${where} key`), ...(clientCa ? { clientCaPem: clientCa } : {}), ...common },
      ...(clientCa ? { caPem: clientCa } : {}),
    };
  }
  const certs = await ensureServingCerts({ dir: join(config.dataDir, "pki"), hosts: [config.listen.host], now, randomBytes: (n) => randomBytes(n) });
  return {
    serving: { certPem: certs.certPem, keyPem: certs.keyPem, clientCaPem: clientCa ?? certs.caPem, ...common },
    caPem: certs.caPem,
    ...(certs.created.ca ? { note: `Created a certificate authority and serving certificate in ${join(config.dataDir, "pki")}` } : {}),
  };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
