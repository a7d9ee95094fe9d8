// Turns any failure into a message a person can act on, and the exit code for it. Never prints a credential.

import { isConnectionError, type ConnectionError } from "../../api/client/connection-error.js";
import type { CredentialType } from "../../api/client/credential.js";
import { isApiError, type ApiError } from "../../api/machinery/errors.js";
import { ManifestError, ReportedFailure, UsageError } from "./cli-errors.js";
import { KubeconfigError } from "./config/kubeconfig.js";
import { ExitCode, exitCodeForHttp } from "./exit-codes.js";
import { UnknownResourceTypeError } from "./kind-resolver.js";

export interface ErrorContext {
  server: string;
  /** Where the server URL came from (`--server`, a config file, `default`). */
  serverSource?: string;
  /** Which credential was sent: its kind and where it came from, never its value. */
  credential?: { type: CredentialType; source: string };
  /** Config files looked at, for the "no credential" hint. */
  searched?: string[];
  /** What was being done, e.g. `applying "roles.yaml" (document 2)`. */
  during?: string;
}

export interface RenderedError {
  message: string;
  exitCode: ExitCode;
}

export function renderError(err: unknown, ctx: ErrorContext): RenderedError {
  if (err instanceof ReportedFailure) return { message: "", exitCode: err.exitCode };
  if (err instanceof UsageError || err instanceof UnknownResourceTypeError || err instanceof ManifestError || err instanceof KubeconfigError) {
    return { message: `error: ${err.message}`, exitCode: ExitCode.Usage };
  }
  if (isConnectionError(err)) return { message: connectionMessage(err, ctx), exitCode: ExitCode.Unreachable };
  if (isApiError(err)) return { message: apiMessage(err, ctx), exitCode: exitCodeForHttp(err.code) };
  const message = err instanceof Error ? err.message : String(err);
  return { message: `error: ${ctx.during ? `${ctx.during}: ` : ""}${message}`, exitCode: ExitCode.Failure };
}

function connectionMessage(err: ConnectionError, ctx: ErrorContext): string {
  const head = `cannot reach the claw server at ${ctx.server}`;
  const from = ctx.serverSource && ctx.serverSource !== "default" ? ` (the address comes from ${ctx.serverSource})` : "";
  switch (err.failure) {
    case "refused":
      return `${head}: connection refused. Start one with 'claw server' (or pass --server / set it in your config)${from}`;
    case "dns":
      return `${head}: its host name does not resolve. Check the address${from}, or pass --server`;
    case "timeout":
      return `${head}: the connection timed out. Check that the server is running and the address is right${from}`;
    case "tls":
      return (
        `${head}: ${err.message.replace(/^cannot reach [^:]+: /, "")}.\n` +
        (err.code === "ERR_SSL_WRONG_VERSION_NUMBER" || err.code === "EPROTO"
          ? "The server may be speaking plain HTTP; try an http:// URL."
          : "If the server uses its own CA, put it in the config's certificate-authority-data (the admin.conf the server wrote has it) or pass --certificate-authority FILE; --insecure-skip-tls-verify turns verification off (never in production).")
      );
    case "reset":
      return `${head}: the connection was closed unexpectedly. If the server uses TLS, use an https:// URL${from}`;
    default:
      return `${head}: ${err.message.replace(/^cannot reach [^:]+: /, "")}${from}`;
  }
}

const credentialName = (type: CredentialType) => (type === "apiKey" ? "API key" : "token");

function apiMessage(err: ApiError, ctx: ErrorContext): string {
  const head = `Error from server (${err.reason})${ctx.during ? ` ${ctx.during}` : ""}: `;
  switch (err.code) {
    case 401: {
      if (!ctx.credential) {
        const looked = ctx.searched?.length ? ` (no credential in ${ctx.searched.join(" or ")})` : "";
        return (
          `${head}${err.message}\nThe server at ${ctx.server} needs a credential and none was sent${looked}. Provide one: ` +
          "set CLAWBERNETES_API_KEY to an API key (clk_…) or CLAWBERNETES_TOKEN to a token from 'claw auth login', pass --token, " +
          "or use the admin.conf that 'claw server' wrote in its data directory at first start (--config ~/.claw/admin.conf)."
        );
      }
      const what = credentialName(ctx.credential.type);
      return (
        `${head}${err.message}\nThe server at ${ctx.server} rejected the ${what} from ${ctx.credential.source}. ` +
        (ctx.credential.type === "token"
          ? "It may be expired or revoked: log in again with 'claw auth login --username NAME', or set CLAWBERNETES_API_KEY to an API key (clk_…)."
          : "It may be wrong, expired or revoked: set CLAWBERNETES_API_KEY to a current API key (clk_…), or log in with 'claw auth login --username NAME'.")
      );
    }
    case 422: {
      const causes = err.details?.causes ?? [];
      if (causes.length === 0) return `${head}${err.message}`;
      const cut = err.message.indexOf(" is invalid");
      const headline = cut >= 0 ? err.message.slice(0, cut + " is invalid".length) : err.message;
      return [`${head}${headline}:`, ...causes.map((c) => `  * ${c.field ? `${c.field}: ` : ""}${c.message}`)].join("\n");
    }
    case 429: {
      const after = err.details?.retryAfterSeconds;
      return `${head}${err.message}${after !== undefined ? ` (retry after ${after}s)` : ""}`;
    }
    default:
      return `${head}${err.message}`;
  }
}
