import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { isUnauthorized } from "../machinery/errors.js";
import type { IdentityRecords, UserRecord } from "./identity-records.js";
import { mtlsAuthenticator } from "./mtls-authenticator.js";

const created = Date.parse("2026-01-01T00:00:00Z");
const users = new Map<string, UserRecord>([
  ["gpu-node-1", { name: "gpu-node-1", uid: "u1", disabled: false, roles: ["node"], createdAtMs: created }],
  ["retired-node", { name: "retired-node", uid: "u2", disabled: true, roles: ["node"], createdAtMs: created }],
]);
const records = { users: { get: async (name: string) => users.get(name) } } as unknown as IdentityRecords;
const request = (socket: Record<string, unknown>) => ({ socket }) as unknown as IncomingMessage;
const tlsSocket = (cn: string | undefined, authorized = true, validFrom = "Jan  1 00:00:00 2026 GMT") => ({
  authorized,
  getPeerCertificate: () => (cn === undefined ? {} : { subject: { CN: cn }, valid_from: validFrom, valid_to: "Jan  1 00:00:00 2027 GMT" }),
});

describe("mtlsAuthenticator", () => {
  const auth = mtlsAuthenticator({ records });

  it("names the user of a verified certificate by its CN", async () => {
    expect(await auth.authenticate(undefined, request(tlsSocket("gpu-node-1")))).toEqual({
      name: "gpu-node-1",
      uid: expect.any(String),
      groups: ["system:authenticated"],
      authentication: { method: "mtls", expiresAt: "2027-01-01T00:00:00Z" },
    });
  });

  it.each([
    ["a plain HTTP socket", {}],
    ["a certificate the TLS layer did not verify", tlsSocket("gpu-node-1", false)],
    ["no certificate", tlsSocket(undefined)],
  ])("ignores %s", async (_name, socket) => {
    expect(await auth.authenticate(undefined, request(socket))).toBeUndefined();
  });

  it("leaves a request with a header credential to the other authenticators", async () => {
    expect(await auth.authenticate({ secret: "clk_x", source: "bearer" }, request(tlsSocket("gpu-node-1")))).toBeUndefined();
  });

  it.each([
    ["a user that does not exist", "unknown-node"],
    ["a disabled user", "retired-node"],
  ])("refuses %s with 401", async (_name, cn) => {
    await expect(auth.authenticate(undefined, request(tlsSocket(cn)))).rejects.toSatisfy(isUnauthorized);
  });

  it.each([
    ["a certificate issued before its user was created (for an earlier user of that name)", "Dec 31 23:54:59 2025 GMT", false],
    ["a certificate without a readable notBefore", "not a date", false],
    ["a certificate backdated a little before its user was created", "Dec 31 23:55:00 2025 GMT", true],
    ["a certificate issued after its user was created", "Feb  1 00:00:00 2026 GMT", true],
  ])("judges %s", async (_name, validFrom, accepted) => {
    const result = auth.authenticate(undefined, request(tlsSocket("gpu-node-1", true, validFrom)));
    if (accepted) expect((await result)?.name).toBe("gpu-node-1");
    else await expect(result).rejects.toSatisfy(isUnauthorized);
  });

  it("maps certificates as told", async () => {
    const custom = mtlsAuthenticator({ records, identify: (cert) => `gpu-${String(cert.subject.CN)}` });
    expect((await custom.authenticate(undefined, request(tlsSocket("node-1"))))?.name).toBe("gpu-node-1");
  });
});
