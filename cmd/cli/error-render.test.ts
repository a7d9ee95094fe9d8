import { describe, expect, it } from "vitest";
import { ConnectionError } from "../../api/client/connection-error.js";
import { ApiError, conflict, forbidden, invalid, notFound, tooManyRequests, unauthorized } from "../../api/machinery/errors.js";
import { ManifestError, ReportedFailure, UsageError } from "./cli-errors.js";
import { KubeconfigError } from "./config/kubeconfig.js";
import { renderError, type ErrorContext } from "./error-render.js";
import { ExitCode } from "./exit-codes.js";

const server = "http://127.0.0.1:8080";
const ctx: ErrorContext = { server, serverSource: "default", searched: ["/h/.claw/config", "/h/.claw/admin.conf"] };
const withKey: ErrorContext = { ...ctx, credential: { type: "apiKey", source: "CLAWBERNETES_API_KEY" } };
const role = { group: "security.clawbernetes.com", kind: "Role", resource: "roles", name: "x" };

describe("renderError", () => {
  it.each([
    {
      name: "tells how to start a server when the connection is refused",
      err: new ConnectionError(server, "refused", "ECONNREFUSED", "connection refused"),
      c: ctx,
      want: "cannot reach the claw server at http://127.0.0.1:8080: connection refused. Start one with 'claw server' (or pass --server / set it in your config)",
      code: ExitCode.Unreachable,
    },
    {
      name: "says where a server address came from when it does not resolve",
      err: new ConnectionError("http://nohost:1", "dns", "ENOTFOUND", "x"),
      c: { ...ctx, server: "http://nohost:1", serverSource: "/h/.claw/config (cluster \"claw\")" },
      want: /its host name does not resolve.*\(the address comes from \/h\/\.claw\/config/,
      code: ExitCode.Unreachable,
    },
    {
      name: "points at the CA settings when TLS verification fails",
      err: new ConnectionError(server, "tls", "DEPTH_ZERO_SELF_SIGNED_CERT", "the TLS handshake failed (self-signed certificate)"),
      c: ctx,
      want: /self-signed certificate\)\.\nIf the server uses its own CA.*--certificate-authority/,
      code: ExitCode.Unreachable,
    },
    {
      name: "explains how to provide a credential when none was sent",
      err: unauthorized(),
      c: ctx,
      want: /^Error from server \(Unauthorized\): Unauthorized\nThe server at http:\/\/127\.0\.0\.1:8080 needs a credential and none was sent \(no credential in \/h\/\.claw\/config or \/h\/\.claw\/admin\.conf\)\. Provide one: set CLAWBERNETES_API_KEY/,
      code: ExitCode.Unauthorized,
    },
    {
      name: "names the rejected credential's kind and source",
      err: unauthorized(),
      c: withKey,
      want: /rejected the API key from CLAWBERNETES_API_KEY\. It may be wrong, expired or revoked/,
      code: ExitCode.Unauthorized,
    },
    { name: "passes on the server's reason for a 403", err: forbidden('user "bob" cannot delete roles'), c: withKey, want: 'Error from server (Forbidden): user "bob" cannot delete roles', code: ExitCode.Forbidden },
    { name: "prints a 404 as kubectl does", err: notFound(role), c: ctx, want: 'Error from server (NotFound): roles.security.clawbernetes.com "x" not found', code: ExitCode.NotFound },
    { name: "prints a 409 with its reason", err: conflict(role, "the object has been modified"), c: ctx, want: /^Error from server \(Conflict\): Operation cannot be fulfilled/, code: ExitCode.Conflict },
    {
      name: "lists every field path of a 422",
      err: invalid(role, [{ field: "spec.permissions[0]", message: "must be resource:action" }, { field: "spec.description", message: "too long" }]),
      c: { ...ctx, during: 'applying "r.yaml" (document 2)' },
      want: 'Error from server (Invalid) applying "r.yaml" (document 2): Role.security.clawbernetes.com "x" is invalid:\n  * spec.permissions[0]: must be resource:action\n  * spec.description: too long',
      code: ExitCode.Invalid,
    },
    { name: "says when to retry after a 429", err: tooManyRequests("slow down", 7), c: ctx, want: "Error from server (TooManyRequests): slow down (retry after 7s)", code: ExitCode.Failure },
    { name: "prints a server error with its reason", err: new ApiError(500, "InternalError", "boom"), c: ctx, want: "Error from server (InternalError): boom", code: ExitCode.Failure },
    { name: "prints usage errors plainly", err: new UsageError("give a kind"), c: ctx, want: "error: give a kind", code: ExitCode.Usage },
    { name: "prints manifest errors plainly", err: new ManifestError('"a.yaml" (document 1): missing kind'), c: ctx, want: 'error: "a.yaml" (document 1): missing kind', code: ExitCode.Usage },
    { name: "prints config errors plainly", err: new KubeconfigError("bad file"), c: ctx, want: "error: bad file", code: ExitCode.Usage },
    { name: "prints nothing more for failures already reported", err: new ReportedFailure(ExitCode.NotFound), c: ctx, want: "", code: ExitCode.NotFound },
    { name: "prints an unexpected error without a stack", err: new Error("odd"), c: ctx, want: "error: odd", code: ExitCode.Failure },
  ])("$name", ({ err, c, want, code }) => {
    const rendered = renderError(err, c);
    if (typeof want === "string") expect(rendered.message).toBe(want);
    else expect(rendered.message).toMatch(want);
    expect(rendered.exitCode).toBe(code);
  });
});
