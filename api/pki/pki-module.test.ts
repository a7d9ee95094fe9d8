// The PKI module against the real in-process server: issuing through the endpoint, the sealed key, the
// audit entries, revocation onto the CRL, and who may issue which identity.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { pkiPaths, ROOT_CA_NAME, type CertificateKeyPair } from "../types/pki-api.js";
import type { Certificate } from "../types/certificate.js";
import { certificateFacts, crlSerials } from "./certificate-facts.js";

const API = "/apis/security.clawbernetes.com/v1/certificates";
const cert = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec });

describe("the PKI module", () => {
  let env: EnvTest;
  beforeAll(async () => {
    env = await startEnvTest();
  });
  afterAll(async () => env?.stop());

  const post = async (path: string, json: unknown = {}) => env.request(path, { method: "POST", json });
  const get = async (name: string) => (await (await env.request(`${API}/${name}`)).json()) as Certificate;

  it("ensures a root CA at start, issued and signed by itself", async () => {
    const root = await get(ROOT_CA_NAME);
    expect(root.spec?.isCA).toBe(true);
    expect(root.status?.revision).toBe(1);
    const facts = certificateFacts(root.status!.certificate!);
    expect(facts.isCA).toBe(true);
    expect(facts.serialNumber).toBe(root.status!.serialNumber);
  });

  it("issues a leaf through the issue endpoint with its key sealed in the store", async () => {
    expect((await post(API, cert("web", { commonName: "web.example.com", dnsNames: ["web.example.com"], issuerRef: { name: ROOT_CA_NAME }, usages: ["server auth", "digital signature"] }))).status).toBe(201);
    const issued = await post(pkiPaths.issue("web"), { reason: "DoesNotExist", expectedRevision: 0 });
    expect(issued.status).toBe(201);
    const web = (await issued.json()) as Certificate;
    expect(web.status?.revision).toBe(1);
    expect(web.status?.issuerSerialNumber).toBe((await get(ROOT_CA_NAME)).status?.serialNumber);
    const pair = (await (await post(pkiPaths.privateKey("web"))).json()) as CertificateKeyPair;
    expect(pair.privateKey).toMatch(/BEGIN PRIVATE KEY/);
    const stored = await env.store.list("/claw/pki/keys/");
    expect(stored.items.some((kv) => kv.value.includes("BEGIN PRIVATE KEY"))).toBe(false);
    // A second issue with a stale revision loses.
    expect((await post(pkiPaths.issue("web"), { expectedRevision: 0 })).status).toBe(409);
  });

  it("puts a revoked certificate's serial on its CA's CRL, published without credentials", async () => {
    const web = await get("web");
    const revoked = await post(pkiPaths.revoke("web"), { reason: "keyCompromise" });
    expect(revoked.status).toBe(200);
    const crl = await fetch(env.url + pkiPaths.crlPem(ROOT_CA_NAME));
    expect(crl.status).toBe(200);
    expect(crlSerials(await crl.text())).toContain(web.status!.serialNumber);
    // Revocation cannot be undone.
    const live = await get("web");
    const undo = await env.request(`${API}/web`, { method: "PUT", json: { ...live, spec: { ...live.spec, revoked: false } } });
    expect(undo.status).toBe(422);
    expect((await post(pkiPaths.issue("web"))).status).toBe(409);
  });

  it("signs a new CRL as soon as a CA is renewed, so revocation stays enforced for the new CA", async () => {
    const renewed = (await (await post(pkiPaths.issue(ROOT_CA_NAME), {})).json()) as Certificate;
    const started = Date.now();
    let record = await env.pki.crls.current(ROOT_CA_NAME);
    while (record?.caSerialNumber !== renewed.status?.serialNumber && Date.now() - started < 1_000) {
      await new Promise((resolve) => setImmediate(resolve));
      record = await env.pki.crls.current(ROOT_CA_NAME);
    }
    expect(record?.caSerialNumber).toBe(renewed.status?.serialNumber);
  });
});
