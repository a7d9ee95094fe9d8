// The CSR signer against the real in-process server: a node's key never reaches the server, yet its
// certificate is issued, renewed and audited as any other; every request it should refuse, refused with a
// reason; and the server's own issue paths leave such a certificate alone.

import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { assembleServer } from "../../cmd/server/assemble-server.js";
import { AuditReader } from "../audit/audit-reader.js";
import { systemClock } from "../machinery/clock.js";
import { isApiError } from "../machinery/errors.js";
import { loadCrdRegistry } from "../schema/crd-registry.js";
import { Keyring } from "../secrets/keyring.js";
import { SecretsModule } from "../secrets/secrets-module.js";
import type { CsrSigner, SignedCsr } from "../server/module.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import type { Certificate } from "../types/certificate.js";
import { NODE_ORGANIZATION, pkiPaths, ROOT_CA_NAME } from "../types/pki-api.js";
import { MAX_CSR_BYTES } from "./certificate-request.js";
import { keyRecordKey } from "./pki-records.js";
import { PkiModule } from "./pki-module.js";
import { x509 } from "./x509.js";

const API = "/apis/security.clawbernetes.com/v1/certificates";
const NODES = [NODE_ORGANIZATION];
const USER = { name: "system:bootstrap:abcd1234", groups: ["system:bootstrappers"] };

type KeyKind = "P-256" | "P-384" | "P-521" | "Ed25519" | "RSA-1024";
const KEYS: Record<KeyKind, { generate: EcKeyGenParams | RsaHashedKeyGenParams | Algorithm; sign: Algorithm | EcdsaParams }> = {
  "P-256": { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
  "P-384": { generate: { name: "ECDSA", namedCurve: "P-384" }, sign: { name: "ECDSA", hash: "SHA-384" } },
  "P-521": { generate: { name: "ECDSA", namedCurve: "P-521" }, sign: { name: "ECDSA", hash: "SHA-512" } },
  Ed25519: { generate: { name: "Ed25519" }, sign: { name: "Ed25519" } },
  "RSA-1024": { generate: { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" } as RsaHashedKeyGenParams, sign: { name: "RSASSA-PKCS1-v1_5" } },
};

/** A CSR as a node agent makes it: a fresh WebCrypto key, the subject CN=`cn`, signed by that key. */
async function csrFor(cn: string, kind: KeyKind = "P-256"): Promise<{ pem: string; spkiDer: Buffer }> {
  const keys = (await globalThis.crypto.subtle.generateKey(KEYS[kind].generate, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}, O=${NODE_ORGANIZATION}`, keys, signingAlgorithm: KEYS[kind].sign });
  return { pem: csr.toString("pem"), spkiDer: Buffer.from(await globalThis.crypto.subtle.exportKey("spki", keys.publicKey)) };
}

/** The CSR's DER changed by `alter`, as PEM again. */
function tampered(pem: string, alter: (der: Buffer) => void): string {
  const der = Buffer.from(new x509.Pkcs10CertificateRequest(pem).rawData);
  alter(der);
  return new x509.Pkcs10CertificateRequest(der).toString("pem");
}

const request = (name: string, csrPem: string, over: Partial<Parameters<CsrSigner["sign"]>[0]> = {}) => ({ certificateName: `node-${name}`, commonName: name, organizations: NODES, csrPem, user: USER, sourceIp: "10.0.0.9", ...over });

/** The ApiError `act` threw, as `code: message`. */
async function refusal(act: Promise<unknown>): Promise<string> {
  try {
    await act;
  } catch (err) {
    if (isApiError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return "no refusal";
}

describe("the CSR signer", () => {
  let env: EnvTest;
  let signer: CsrSigner;
  let rootPem: string;
  beforeAll(async () => {
    env = await startEnvTest();
    signer = env.pki.provides.csrSigner;
    rootPem = await env.pki.rootCaPem();
  });
  afterAll(async () => env?.stop());

  const get = async (name: string) => (await (await env.request(`${API}/${name}`)).json()) as Certificate;
  const post = (path: string, json: unknown = {}) => env.request(path, { method: "POST", json });
  const auditOf = async (name: string) =>
    (await new AuditReader(env.audit!.log.batches).query({ types: ["certificates.issued", "certificates.renewed"], limit: 1000 })).items.filter((e) => e.resource?.name === name);

  let first: SignedCsr;
  let firstKey: Buffer;

  it("issues a good CSR with the CSR's own key, signed by the root, as the node's identity, and stores no key", async () => {
    const csr = await csrFor("gpu-1");
    first = await signer.sign(request("gpu-1", csr.pem));
    firstKey = csr.spkiDer;
    const issued = new X509Certificate(first.certificatePem);
    const root = new X509Certificate(rootPem);
    expect(issued.publicKey.export({ type: "spki", format: "der" }).equals(csr.spkiDer)).toBe(true);
    expect(issued.verify(root.publicKey)).toBe(true);
    expect(issued.issuer).toBe(root.subject);
    expect(issued.subject.split("\n").sort()).toEqual(["CN=gpu-1", "O=system:nodes"]);
    expect(first).toMatchObject({ certificateName: "node-gpu-1", caPem: rootPem, chainPem: "", serialNumber: issued.serialNumber.toLowerCase() });
    const cert = await get("node-gpu-1");
    expect(cert.spec).toMatchObject({ commonName: "gpu-1", subject: { organizations: NODES }, issuerRef: { name: ROOT_CA_NAME }, privateKey: { source: "CSR" } });
    expect(cert.status).toMatchObject({ revision: 1, serialNumber: first.serialNumber, notAfter: first.notAfter, renewalTime: first.renewalTime, certificate: first.certificatePem });
    // Two thirds into its backdated life, as for any certificate without renewBefore.
    const [notBefore, notAfter, renewal] = [Date.parse(cert.status!.notBefore!), Date.parse(first.notAfter), Date.parse(first.renewalTime)];
    expect(Math.abs(renewal - (notBefore + ((notAfter - notBefore) * 2) / 3))).toBeLessThanOrEqual(1000);
    expect(await env.store.get(keyRecordKey(cert.metadata.uid!))).toBeUndefined();
    expect(await auditOf("node-gpu-1")).toEqual([expect.objectContaining({ type: "certificates.issued", actor: USER.name, outcome: "success" })]);
  });

  it("renews on a second CSR, with the new key (of another kind), at revision 2, audited as a renewal", async () => {
    const csr = await csrFor("gpu-1", "Ed25519");
    const renewed = await signer.sign(request("gpu-1", csr.pem));
    const issued = new X509Certificate(renewed.certificatePem);
    expect(issued.publicKey.export({ type: "spki", format: "der" }).equals(csr.spkiDer)).toBe(true);
    expect(issued.publicKey.export({ type: "spki", format: "der" }).equals(firstKey)).toBe(false);
    expect(issued.verify(new X509Certificate(rootPem).publicKey)).toBe(true);
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    expect((await get("node-gpu-1")).status?.revision).toBe(2);
    expect((await auditOf("node-gpu-1")).map((e) => e.type)).toEqual(["certificates.issued", "certificates.renewed"]);
  });

  it.each<[string, () => Promise<Parameters<CsrSigner["sign"]>[0]>, RegExp]>([
    ["refuses a CSR whose signature was tampered with", async () => request("gpu-2", tampered((await csrFor("gpu-2")).pem, (der) => void (der[der.length - 3]! ^= 0x01))), /^422: .*signature does not verify with its own public key/],
    ["refuses a CSR whose subject was altered after it was signed", async () => request("gpu-3", tampered((await csrFor("gpu-2")).pem, (der) => der.write("gpu-3", der.indexOf("gpu-2"), "latin1"))), /^422: .*signature does not verify/],
    ["refuses a CSR for another common name, saying which it must be", async () => request("gpu-4", (await csrFor("gpu-5")).pem), /^422: .*common name "gpu-5"; it must be exactly "gpu-4": make the CSR with the subject CN=gpu-4$/],
    ["refuses a CSR whose common name only starts like the node's", async () => request("gpu-4", (await csrFor("gpu-4x")).pem), /^422: .*common name "gpu-4x"/],
    ["refuses garbage that is no PEM at all", async () => request("gpu-6", "hello, CA"), /^422: .*holds no PEM certificate request; send one PEM PKCS#10 request/],
    ["refuses a PEM block whose body is not a CSR", async () => request("gpu-6", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), /^422: .*not a DER PKCS#10 certificate request/],
    ["refuses two CSRs in one", async () => request("gpu-6", (await csrFor("gpu-6")).pem.repeat(2)), /^422: .*holds 2 PEM certificate requests, not one/],
    ["refuses an oversized CSR before reading it", async () => request("gpu-6", `${(await csrFor("gpu-6")).pem}${" ".repeat(MAX_CSR_BYTES)}`), /^422: .*Too long: the CSR is \d+ bytes; it may not be longer than 16384/],
    ["refuses a P-521 key, naming the kinds it signs", async () => request("gpu-7", (await csrFor("gpu-7", "P-521")).pem), /^422: .*key is ECDSA P-521; the CA signs ECDSA P-256 or P-384, Ed25519, or RSA of 2048 to 8192 bits/],
    ["refuses an RSA key under 2048 bits", async () => request("gpu-7", (await csrFor("gpu-7", "RSA-1024")).pem), /^422: .*key is RSA 1024 bits/],
  ])("%s", async (_sentence, make, message) => {
    const req = await make();
    expect(await refusal(signer.sign(req))).toMatch(message);
    // Nothing is created for a refused CSR.
    expect((await env.request(`${API}/${req.certificateName}`)).status).toBe(404);
  });

  it("signs a P-384 key too", async () => {
    const csr = await csrFor("gpu-8", "P-384");
    const signed = await signer.sign(request("gpu-8", csr.pem));
    expect(new X509Certificate(signed.certificatePem).publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
  });

  it.each<[string, () => Promise<void>, () => Promise<Parameters<CsrSigner["sign"]>[0]>, RegExp]>([
    [
      "refuses a certificate of that name whose key the server holds",
      async () => void expect((await post(API, { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name: "node-srv-1" }, spec: { commonName: "srv-1", subject: { organizations: NODES }, issuerRef: { name: ROOT_CA_NAME } } })).status).toBe(201),
      async () => request("srv-1", (await csrFor("srv-1")).pem),
      /^409: certificate "node-srv-1" exists with a private key the server makes \(spec.privateKey.source Server\).*delete it and join again$/,
    ],
    [
      "refuses a revoked certificate of that name",
      async () => {
        await signer.sign(request("gpu-9", (await csrFor("gpu-9")).pem));
        expect((await post(pkiPaths.revoke("node-gpu-9"), { reason: "keyCompromise" })).status).toBe(200);
      },
      async () => request("gpu-9", (await csrFor("gpu-9")).pem),
      /^409: certificate "node-gpu-9" is revoked \(keyCompromise\) and is never issued again: delete it and join again$/,
    ],
    ["refuses a certificate of that name for another common name", async () => undefined, async () => request("gpu-10", (await csrFor("gpu-10")).pem, { certificateName: "node-gpu-1" }), /^409: certificate "node-gpu-1" is for common name "gpu-1", not "gpu-10": delete it and join again$/],
    ["refuses a certificate of that name for other organizations", async () => undefined, async () => request("gpu-1", (await csrFor("gpu-1")).pem, { organizations: ["system:nodes", "gpu-pool"] }), /^409: certificate "node-gpu-1" is for organizations \[system:nodes\], not \[gpu-pool, system:nodes\]: delete it and join again$/],
  ])("%s", async (_sentence, setup, make, message) => {
    await setup();
    expect(await refusal(signer.sign(await make()))).toMatch(message);
  });

  it("lets only one of two signs at the same revision win", async () => {
    const [a, b] = await Promise.all([csrFor("gpu-11"), csrFor("gpu-11")]);
    const results = await Promise.allSettled([signer.sign(request("gpu-11", a.pem)), signer.sign(request("gpu-11", b.pem))]);
    const won = results.filter((r): r is PromiseFulfilledResult<SignedCsr> => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(lost.every((r) => isApiError(r.reason) && r.reason.code === 409)).toBe(true);
    expect(won.length).toBeGreaterThanOrEqual(1);
    // Each win wrote its own revision: none overwrote another's.
    expect((await get("node-gpu-11")).status?.revision).toBe(won.length);
    expect(new Set(won.map((r) => r.value.serialNumber)).size).toBe(won.length);
  });

  it.each<[string, string, RegExp]>([
    ["the issue endpoint refuses a CSR certificate: the server never makes its key", pkiPaths.issue("node-gpu-1"), /its private key is held by its node; the node agent renews it by CSR \(claw node run does it before renewalTime\)/],
    ["the renew endpoint refuses a CSR certificate", pkiPaths.renew("node-gpu-1"), /its private key is held by its node; the node agent renews it by CSR/],
    ["the privatekey endpoint says the key never leaves its node", pkiPaths.privateKey("node-gpu-1"), /has no private key on the server: its key is held by its node/],
  ])("%s", async (_sentence, path, message) => {
    const answer = await post(path);
    expect(answer.status).toBe(409);
    expect(((await answer.json()) as { message: string }).message).toMatch(message);
    expect((await get("node-gpu-1")).status?.revision).toBe(2);
  });

  /** A server-only leaf, issued by the server with a key it holds. */
  const issuedServerCertificate = async (name: string) => {
    expect((await post(API, { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec: { commonName: "web.example.com", dnsNames: ["web.example.com"], issuerRef: { name: ROOT_CA_NAME }, usages: ["digital signature", "server auth"] } })).status).toBe(201);
    expect((await post(pkiPaths.issue(name))).status).toBe(201);
  };

  it.each<[string, () => Promise<void>, string, unknown, number, RegExp | undefined]>([
    ["refuses moving an issued certificate's key to the server", async () => undefined, "node-gpu-1", { spec: { privateKey: { source: "Server" } } }, 422, /spec.privateKey.source: Forbidden: the certificate was issued with a key its node holds \(source CSR\).*delete it and create it again/],
    ["refuses moving an issued server certificate's key to a node", () => issuedServerCertificate("web-1"), "web-1", { spec: { privateKey: { source: "CSR" } } }, 422, /spec.privateKey.source: Forbidden: the certificate was issued with a key the server holds \(source Server\)/],
    ["lets a certificate not issued yet change where its key will live", async () => undefined, "node-srv-1", { spec: { privateKey: { source: "CSR" } } }, 200, undefined],
    ["refuses a CA whose key would be a node's", async () => undefined, "node-srv-1", { spec: { isCA: true, issuerRef: null, usages: ["cert sign", "crl sign"] } }, 422, /spec.privateKey.source: Invalid value: "CSR": a CA signs with a key the server holds/],
  ])("admission %s", async (_sentence, setup, name, patch, code, message) => {
    await setup();
    const answer = await env.request(`${API}/${name}`, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify(patch) });
    expect(answer.status).toBe(code);
    if (message) expect(((await answer.json()) as { message: string }).message).toMatch(message);
  });
});

describe("the pki module's csrSigner", () => {
  it("is in the context of every module listed after pki", async () => {
    const dir = mkdtempSync(join(tmpdir(), "claw-csr-"));
    const store = await openSqliteStore({ path: join(dir, "store.db") });
    try {
      let seen: CsrSigner | undefined;
      let pki: PkiModule | undefined;
      assembleServer({
        store,
        registry: loadCrdRegistry(),
        clock: systemClock,
        random: { bytes: (n) => crypto.getRandomValues(new Uint8Array(n)) },
        modules: [(ctx) => new SecretsModule(ctx, { keyring: new Keyring([new Uint8Array(32).fill(7)]), keySource: "the test's keyring" }), (ctx) => (pki = new PkiModule(ctx)), (ctx) => ((seen = ctx.csrSigner), { name: "nodes" })],
      });
      expect(seen).toBeDefined();
      expect(seen).toBe(pki?.provides.csrSigner);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
