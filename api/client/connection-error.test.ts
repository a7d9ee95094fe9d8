import { describe, expect, it } from "vitest";
import { toConnectionError } from "./connection-error.js";

const sysErr = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("toConnectionError", () => {
  it.each([
    { name: "classifies a refused connection", err: sysErr("ECONNREFUSED"), want: "refused" },
    { name: "classifies a host that does not resolve", err: sysErr("ENOTFOUND"), want: "dns" },
    { name: "classifies an undici connect timeout", err: sysErr("UND_ERR_CONNECT_TIMEOUT"), want: "timeout" },
    { name: "classifies a self-signed certificate as TLS", err: sysErr("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), want: "tls" },
    { name: "classifies a wrong host name in the certificate as TLS", err: sysErr("ERR_TLS_CERT_ALTNAME_INVALID"), want: "tls" },
    { name: "classifies a closed socket as reset", err: sysErr("UND_ERR_SOCKET"), want: "reset" },
    { name: "looks inside an AggregateError (happy eyeballs)", err: Object.assign(new AggregateError([sysErr("ECONNREFUSED")]), {}), want: "refused" },
    { name: "leaves an abort alone", err: Object.assign(new Error("aborted"), { name: "AbortError", code: "UND_ERR_ABORTED" }), want: undefined },
    { name: "leaves an ordinary error alone", err: new Error("bug"), want: undefined },
  ])("$name", ({ err, want }) => {
    expect(toConnectionError("http://x", err)?.failure).toBe(want);
  });

  it("keeps the TLS detail in the message", () => {
    expect(toConnectionError("https://x", sysErr("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"))?.message).toBe(
      "cannot reach https://x: the TLS handshake failed (self-signed certificate)",
    );
  });
});
