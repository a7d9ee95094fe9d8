// Failures below HTTP (refused, DNS, timeout, TLS), turned into one error a caller can explain to a person.

export type ConnectionFailure = "refused" | "dns" | "timeout" | "tls" | "reset" | "other";

export class ConnectionError extends Error {
  constructor(
    readonly server: string,
    readonly failure: ConnectionFailure,
    /** The low-level code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …), when there is one. */
    readonly code: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${server}: ${detail}`, options);
    this.name = "ConnectionError";
  }
}

export const isConnectionError = (err: unknown): err is ConnectionError => err instanceof ConnectionError;

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

const codeOf = (err: unknown): string | undefined => {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") return code;
  const inner = (err as { errors?: unknown }).errors ?? (err as { cause?: unknown }).cause;
  return Array.isArray(inner) ? codeOf(inner[0]) : inner !== undefined && inner !== err ? codeOf(inner) : undefined;
};

const classify = (code: string | undefined): ConnectionFailure | undefined => {
  if (!code) return undefined;
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT" || code === "UND_ERR_HEADERS_TIMEOUT") return "timeout";
  if (TLS_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return "tls";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED") return "reset";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") return "other";
  return undefined;
};

const DETAIL: Record<ConnectionFailure, string> = {
  refused: "connection refused",
  dns: "the host name does not resolve",
  timeout: "the connection timed out",
  tls: "the TLS handshake failed",
  reset: "the connection was closed unexpectedly",
  other: "the network is unreachable",
};

/** Wraps a transport error as a ConnectionError, or returns undefined when it is not one (an abort, a bug). */
export function toConnectionError(server: string, err: unknown): ConnectionError | undefined {
  const code = codeOf(err);
  const failure = classify(code);
  if (!failure) return undefined;
  const message = err instanceof Error ? err.message : String(err);
  const detail = failure === "tls" ? `${DETAIL.tls} (${message})` : DETAIL[failure];
  return new ConnectionError(server, failure, code, detail, { cause: err });
}
