// Issuing a certificate grants an identity: who may ask for which one, tried as an attacker holding a
// little would — asking outright, growing a harmless certificate into a credential, writing status by
// hand, deleting to escape revocation — against the real in-process server.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { AuditReader } from "../audit/audit-reader.js";
import { as, createRole, createUser, keyFor, type Caller } from "../auth/testing/identity-fixtures.js";
import type { Certificate } from "../types/certificate.js";
import { pkiPaths, ROOT_CA_NAME } from "../types/pki-api.js";
import { crlSerials } from "./certificate-facts.js";

const API = "/apis/security.clawbernetes.com/v1/certificates";
const cert = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec: { issuerRef: { name: ROOT_CA_NAME }, ...spec } });
const SERVER_ONLY = { usages: ["digital signature", "server auth"] };

describe("who may issue which certificate", () => {
  let env: EnvTest;
  let creator: Caller;
  let certAdmin: Caller;
  let nodeIssuer: Caller;
  beforeAll(async () => {
    env = await startEnvTest();
    await createRole(env, "cert-creator", ["certificates:create,read,update,delete"]);
    await createRole(env, "cert-admin", ["certificates:admin"]);
    await createRole(env, "node-issuer", ["certificates:admin", "metrics:write", "logs:write", "workloads:execute"]);
    creator = as(env, (await keyFor(env, { user: "carol", roles: ["cert-creator"] })).secret);
    certAdmin = as(env, (await keyFor(env, { user: "dave", roles: ["cert-admin"] })).secret);
    nodeIssuer = as(env, (await keyFor(env, { user: "nina", roles: ["node-issuer"] })).secret);
    await createUser(env, "boss", ["admin"], { disabled: true });
  });
  afterAll(async () => env?.stop());

  const create = (who: Caller, name: string, spec: Record<string, unknown>) => who.request(API, { method: "POST", json: cert(name, spec) });

  it.each([
    ["a certificates:create holder issues a server-only certificate", () => create(creator, "web", { commonName: "web.example.com", dnsNames: ["web.example.com"], ...SERVER_ONLY }), 201],
    ["a certificates:create holder cannot ask for a leaf with the default usages, which include client auth", () => create(creator, "sneaky", { commonName: "admin" }), 403],
    ["a certificates:create holder cannot make a CA", () => create(creator, "rogue-ca", { isCA: true, commonName: "Rogue CA", issuerRef: undefined }), 403],
    ["a certificates:admin holder makes an intermediate CA", () => create(certAdmin, "team-ca", { isCA: true, commonName: "Team CA" }), 201],
    ["a certificates:admin holder without the node role's permissions cannot issue a node certificate", () => create(certAdmin, "node-x", { commonName: "gpu-x", subject: { organizations: ["system:nodes"] } }), 403],
    ["a holder of certificates:admin and the node role's permissions issues a node certificate", () => create(nodeIssuer, "node-gpu-1", { commonName: "gpu-1", subject: { organizations: ["system:nodes"] }, usages: ["digital signature", "client auth"] }), 201],
    ["nobody below admin issues a client certificate for the admin user", () => create(nodeIssuer, "admin-cert", { commonName: "admin", usages: ["client auth"] }), 403],
    ["a certificates:admin holder cannot make a CA that doubles as a node's client certificate", () => create(certAdmin, "ca-node", { isCA: true, commonName: "gpu-y", subject: { organizations: ["system:nodes"] }, usages: ["cert sign", "client auth"] }), 403],
    ["a node certificate's common name must be a node name", () => create(nodeIssuer, "node-bad", { commonName: "GPU_1", subject: { organizations: ["system:nodes"] }, usages: ["client auth"] }), 422],
    ["a disabled user is judged by its roles: no client certificate for it either", () => create(nodeIssuer, "boss-cert", { commonName: "boss", usages: ["client auth"] }), 403],
  ])("%s", async (_sentence, act, code) => {
    expect((await act()).status).toBe(code);
  });

  it("a certificates:create holder cannot grow a server certificate into a client one", async () => {
    const live = (await (await creator.request(`${API}/web`)).json()) as Certificate;
    const grown = await creator.request(`${API}/web`, { method: "PUT", json: { ...live, spec: { ...live.spec, commonName: "admin", usages: ["client auth"] } } });
    expect(grown.status).toBe(403);
    expect(((await grown.json()) as { message: string }).message).toMatch(/client certificate for user "admin".*certificates:admin/);
    const patched = await creator.request(`${API}/web`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { subject: { organizations: ["system:nodes"] }, usages: ["client auth"] } }) });
    expect(patched.status).toBe(403);
  });

  it("a certificates:update holder cannot renew, revoke or re-key a CA: it is a trust root", async () => {
    expect((await creator.request(pkiPaths.renew(ROOT_CA_NAME), { method: "POST", json: {} })).status).toBe(403);
    expect((await creator.request(pkiPaths.revoke(ROOT_CA_NAME), { method: "POST", json: { reason: "cACompromise" } })).status).toBe(403);
    const patched = await creator.request(`${API}/team-ca`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { duration: "48h" } }) });
    expect(patched.status).toBe(403);
    expect(((await patched.json()) as { message: string }).message).toMatch(/needs certificates:admin/);
    expect((await creator.request(`${API}/${ROOT_CA_NAME}`, { method: "DELETE" })).status).toBe(403);
    // It can still renew a leaf it may update.
    expect((await creator.request(pkiPaths.renew("web"), { method: "POST", json: {} })).status).toBe(200);
  });

  it("a certificates:create holder neither signs nor reads a key", async () => {
    expect((await creator.request(pkiPaths.issue("web"), { method: "POST", json: {} })).status).toBe(403);
    expect((await creator.request(pkiPaths.privateKey("web"), { method: "POST", json: {} })).status).toBe(403);
  });

  it("only the issue path writes a certificate into status", async () => {
    expect((await env.request(pkiPaths.issue("web"), { method: "POST", json: {} })).status).toBe(201);
    const live = (await (await certAdmin.request(`${API}/web`)).json()) as Certificate;
    const forged = await certAdmin.request(`${API}/web/status`, { method: "PUT", json: { ...live, status: { ...live.status, certificate: live.status?.chain } } });
    expect(forged.status).toBe(422);
  });

  it("revoking needs only update, takes every serial the certificate was issued under, and cannot be undone", async () => {
    const first = (await (await env.request(`${API}/web`)).json()) as Certificate;
    expect((await env.request(pkiPaths.issue("web"), { method: "POST", json: {} })).status).toBe(201);
    const second = (await (await env.request(`${API}/web`)).json()) as Certificate;
    expect(second.status?.serialNumber).not.toBe(first.status?.serialNumber);
    expect((await creator.request(pkiPaths.revoke("web"), { method: "POST", json: { reason: "keyCompromise" } })).status).toBe(200);
    const serials = crlSerials(await (await fetch(env.url + pkiPaths.crlPem(ROOT_CA_NAME))).text());
    expect(serials).toEqual(expect.arrayContaining([first.status!.serialNumber!, second.status!.serialNumber!]));
    const revoked = (await (await env.request(`${API}/web`)).json()) as Certificate;
    expect(revoked.status?.revokedAt).toBeDefined();
    const undo = await env.request(`${API}/web`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify({ spec: { revoked: false } }) });
    expect(undo.status).toBe(422);
  });

  it("deleting an issued certificate revokes it, so deleting cannot escape revocation or keep a credential alive", async () => {
    expect((await create(env, "short-lived", { commonName: "svc.example.com", ...SERVER_ONLY })).status).toBe(201);
    const issued = (await (await env.request(pkiPaths.issue("short-lived"), { method: "POST", json: {} })).json()) as Certificate;
    expect((await env.request(`${API}/short-lived`, { method: "DELETE" })).status).toBe(200);
    await env.pki.crls.refresh(ROOT_CA_NAME);
    expect(crlSerials(await (await fetch(env.url + pkiPaths.crlPem(ROOT_CA_NAME))).text())).toContain(issued.status!.serialNumber);
    // Created again under the same name, it starts afresh: no key or serial of the old one.
    expect((await create(env, "short-lived", { commonName: "svc.example.com", ...SERVER_ONLY })).status).toBe(201);
    expect((await env.request(pkiPaths.privateKey("short-lived"), { method: "POST", json: {} })).status).toBe(409);
  });

  it("the audit log records issuance, renewal, revocation and every key fetch", async () => {
    await env.request(pkiPaths.privateKey(ROOT_CA_NAME), { method: "POST", json: {} });
    const entries = (await new AuditReader(env.audit!.log.batches).query({ types: ["certificates.issued", "certificates.renewed", "certificates.revoked", "certificates.keyaccessed"], limit: 1000 })).items;
    expect(JSON.stringify(entries)).not.toMatch(/PRIVATE KEY/);
    expect([...new Set(entries.map((e) => e.type))]).toEqual(expect.arrayContaining(["certificates.issued", "certificates.renewed", "certificates.revoked", "certificates.keyaccessed"]));
  });
});
