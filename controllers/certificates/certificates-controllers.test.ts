// The three certificates controllers in a manager against the real API server with the PKI module
// (envtest), acting as the in-process controllers do (system:controller-manager, authorized by
// CONTROLLER_RULES alone), on a fake clock shared by both: a chain root → intermediate → leaf becomes
// Ready; a leaf renews exactly at its renewal time, with a new key or the same one; renewing the root
// renews the intermediate, then its leaves; a missing issuer is named; a refused issuance backs off.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateFacts } from "../../api/pki/certificate-facts.js";
import { keyRecordKey } from "../../api/pki/pki-records.js";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock, toRfc3339 } from "../../api/machinery/clock.js";
import { findCondition, setCondition } from "../../api/machinery/conditions.js";
import type { Certificate, CertificateSpec } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, CONDITION_READY, pkiPaths, ROOT_CA_NAME } from "../../api/types/pki-api.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { Informer } from "../runtime/informer.js";
import { restListWatcher } from "../runtime/list-watcher.js";
import { Manager } from "../runtime/manager.js";
import { objectUntil } from "../runtime/testing/cache-wait.js";
import { silentLogger } from "../runtime/testing/silent-logger.js";
import { controllerIdentityClient } from "../secrets/testing/controller-identity.js";
import { writeCertificateStatus } from "./certificate-status.js";
import { certificatesIssuingController } from "./issuing-controller.js";
import { certificatesReadinessController } from "./readiness-controller.js";
import { certificatesTriggerController } from "./trigger-controller.js";

const DAY = 86_400_000;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: RestClient;
let controllerClient: RestClient;
let manager: Manager;
let certificates: Informer<Certificate>;
/** Every Issuing=True reason each certificate went through, in order, as the test's informer saw them. */
const issuingReasons = new Map<string, string[]>();

beforeAll(async () => {
  // Bookmarks every 30 s of fake time would be 170,000 per watch over the 60 days the renewal test steps.
  env = await startEnvTest({ clock, controllerIdentity: true, bookmarkIntervalMs: 7 * DAY });
  admin = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  controllerClient = controllerIdentityClient(env);
  const readCertificate = certificateFacts;
  manager = new Manager({
    client: controllerClient,
    clock,
    logger: silentLogger(),
    controllers: [certificatesTriggerController({ readCertificate }), certificatesIssuingController, certificatesReadinessController({ readCertificate })],
  });
  manager.start();
  certificates = new Informer<Certificate>({ source: restListWatcher<Certificate>(admin, "certificates"), clock, logger: silentLogger() });
  const record = (c: Certificate) => {
    const issuing = findCondition(c.status?.conditions, CONDITION_ISSUING);
    const seen = issuingReasons.get(c.metadata.name) ?? [];
    if (issuing?.status === "True" && seen.at(-1) !== issuing.reason) issuingReasons.set(c.metadata.name, [...seen, issuing.reason]);
  };
  certificates.addHandler({ onAdd: record, onUpdate: (_old, c) => record(c) });
  certificates.start();
  await certificates.waitForSync();
});
afterAll(async () => {
  await manager?.stop();
  await certificates?.stop();
  await controllerClient?.close();
  await admin?.close();
  await env?.stop();
});

const create = (name: string, spec: CertificateSpec) => admin.create<Certificate>("certificates", { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec });
const get = (name: string) => certificates.get(name) ?? expect.fail(`no certificate ${name} in the cache`);
const readyOf = (c: Certificate | undefined) => findCondition(c?.status?.conditions, CONDITION_READY);
const isReady = (c: Certificate | undefined) => readyOf(c)?.status === "True";
const untilReady = (name: string) => objectUntil(certificates, name, isReady);
/** Ready, and issued at least `revision` times. */
const untilRevision = (name: string, revision: number) => objectUntil(certificates, name, (c) => (c?.status?.revision ?? 0) >= revision && isReady(c) && findCondition(c?.status?.conditions, CONDITION_ISSUING)?.status === "False");
const factsOf = (name: string) => certificateFacts(get(name).status!.certificate!);

const ROOT: CertificateSpec = { isCA: true, commonName: "E2E Root CA" };
const INTERMEDIATE: CertificateSpec = { isCA: true, commonName: "E2E Intermediate CA", issuerRef: { name: "e2e-root" }, duration: "8760h" };
const leafSpec = (name: string, extra: Partial<CertificateSpec> = {}): CertificateSpec => ({
  issuerRef: { name: "e2e-intermediate" },
  commonName: `${name}.example.com`,
  dnsNames: [`${name}.example.com`],
  ipAddresses: ["10.0.0.7"],
  usages: ["digital signature", "key encipherment", "server auth"],
  duration: "90d",
  renewBefore: "30d",
  ...extra,
});

describe("the certificates controllers", () => {
  it("issues a chain root → intermediate → leaf, created leaf first, until all three are Ready", async () => {
    await create("e2e-leaf", leafSpec("e2e-leaf"));
    await create("e2e-intermediate", INTERMEDIATE);
    await create("e2e-root", ROOT);
    await Promise.all(["e2e-root", "e2e-intermediate", "e2e-leaf"].map(untilReady));

    const [root, intermediate, leaf] = ["e2e-root", "e2e-intermediate", "e2e-leaf"].map(get) as [Certificate, Certificate, Certificate];
    expect(root.status).toMatchObject({ revision: 1, chain: "" });
    expect(root.status?.issuerSerialNumber).toBeUndefined();
    expect(intermediate.status).toMatchObject({ revision: 1, issuerSerialNumber: root.status?.serialNumber });
    expect(leaf.status).toMatchObject({ revision: 1, issuerSerialNumber: intermediate.status?.serialNumber, chain: `${intermediate.status?.certificate}${root.status?.certificate}` });
    expect(leaf.status?.observedGeneration).toBe(leaf.metadata.generation);
    expect(readyOf(leaf)).toMatchObject({ reason: "Ready", message: `the certificate is valid until ${leaf.status?.notAfter}` });
    expect(findCondition(leaf.status?.conditions, CONDITION_ISSUING)).toMatchObject({ status: "False", reason: "Issued" });
    expect(factsOf("e2e-leaf")).toMatchObject({ commonName: "e2e-leaf.example.com", dnsNames: ["e2e-leaf.example.com"], isCA: false });
    expect(issuingReasons.get("e2e-leaf")).toEqual(["DoesNotExist"]);
  });

  it("finds nothing to reissue in the root CA the server made at its start, and marks it Ready", async () => {
    await untilReady(ROOT_CA_NAME);
    await manager.idle();
    expect(get(ROOT_CA_NAME).status?.revision).toBe(1);
    expect(issuingReasons.get(ROOT_CA_NAME)).toBeUndefined();
  });

  it("renews a leaf exactly at its renewal time, with a new key under rotationPolicy Always and the same key under Never", async () => {
    await create("e2e-always", leafSpec("e2e-always", { privateKey: { rotationPolicy: "Always" } }));
    await create("e2e-never", leafSpec("e2e-never", { privateKey: { rotationPolicy: "Never" } }));
    await Promise.all([untilRevision("e2e-always", 1), untilRevision("e2e-never", 1)]);
    const before = { always: factsOf("e2e-always"), never: factsOf("e2e-never") };
    const renewalTime = get("e2e-always").status!.renewalTime!;
    expect(Date.parse(renewalTime)).toBe(Date.parse(get("e2e-always").status!.notAfter!) - 30 * DAY);
    await manager.idle();

    clock.step(Date.parse(renewalTime) - clock.now() - 1000);
    await manager.idle();
    expect(get("e2e-always").status?.revision).toBe(1);
    expect(get("e2e-never").status?.revision).toBe(1);

    clock.step(1000);
    await Promise.all([untilRevision("e2e-always", 2), untilRevision("e2e-never", 2)]);
    const after = { always: factsOf("e2e-always"), never: factsOf("e2e-never") };
    // Issued at the renewal time itself: notBefore is backdated one minute from it.
    expect(get("e2e-always").status?.notBefore).toBe(toRfc3339(Date.parse(renewalTime) - 60_000));
    expect(after.always.serialNumber).not.toBe(before.always.serialNumber);
    expect(after.always.publicKeySha256).not.toBe(before.always.publicKeySha256);
    expect(after.never.serialNumber).not.toBe(before.never.serialNumber);
    expect(after.never.publicKeySha256).toBe(before.never.publicKeySha256);
    expect(issuingReasons.get("e2e-always")).toEqual(["DoesNotExist", "Renewing"]);
  });

  it("renews the intermediate when the root is renewed (POST renew), then the intermediate's leaves", async () => {
    await Promise.all(["e2e-root", "e2e-intermediate", "e2e-leaf"].map(untilReady));
    await manager.idle();
    const revisions = Object.fromEntries(["e2e-root", "e2e-intermediate", "e2e-leaf"].map((n) => [n, get(n).status!.revision!]));

    await admin.requestJson({ method: "POST", path: pkiPaths.renew("e2e-root") });
    await untilRevision("e2e-root", revisions["e2e-root"]! + 1);
    const root = get("e2e-root");
    await objectUntil(certificates, "e2e-intermediate", (c) => c?.status?.issuerSerialNumber === root.status?.serialNumber && isReady(c));
    const intermediate = get("e2e-intermediate");
    await objectUntil(certificates, "e2e-leaf", (c) => c?.status?.issuerSerialNumber === intermediate.status?.serialNumber && isReady(c));

    expect(intermediate.status?.revision).toBe(revisions["e2e-intermediate"]! + 1);
    expect(get("e2e-leaf").status?.revision).toBe(revisions["e2e-leaf"]! + 1);
    expect(get("e2e-leaf").status?.chain).toBe(`${intermediate.status?.certificate}${root.status?.certificate}`);
    expect(issuingReasons.get("e2e-root")?.at(-1)).toBe("ManuallyTriggered");
    expect(issuingReasons.get("e2e-intermediate")?.at(-1)).toBe("IssuerRenewed");
    expect(issuingReasons.get("e2e-leaf")?.at(-1)).toBe("IssuerRenewed");
  });

  it("says a leaf whose issuer does not exist is not Ready, naming the issuer, and issues it once the issuer exists", async () => {
    await create("e2e-orphan", leafSpec("e2e-orphan", { issuerRef: { name: "ca-x" } }));
    await objectUntil(certificates, "e2e-orphan", (c) => readyOf(c)?.reason === "IssuerNotFound" && (findCondition(c?.status?.conditions, CONDITION_ISSUING)?.message ?? "").startsWith("waiting"));
    const orphan = get("e2e-orphan");
    expect(readyOf(orphan)).toMatchObject({ status: "False", message: 'issuer "ca-x" does not exist; create it or name another CA in spec.issuerRef' });
    expect(findCondition(orphan.status?.conditions, CONDITION_ISSUING)).toMatchObject({ status: "True", reason: "DoesNotExist", message: 'waiting: issuer "ca-x" does not exist; create it or name another CA in spec.issuerRef' });
    expect(orphan.status?.certificate).toBeUndefined();
    expect(orphan.status?.failedIssuanceAttempts).toBeUndefined();

    await create("ca-x", { isCA: true, commonName: "CA X" });
    await untilRevision("e2e-orphan", 1);
    expect(get("e2e-orphan").status?.issuerSerialNumber).toBe(get("ca-x").status?.serialNumber);
  });

  it("records a refused issuance with the server's words and retries after a backoff, until it succeeds", async () => {
    await create("e2e-refused", leafSpec("e2e-refused"));
    await untilRevision("e2e-refused", 1);
    await manager.idle();
    // Take the intermediate's private key out of the store: the server then refuses to sign with it.
    const keyKey = keyRecordKey(get("e2e-intermediate").metadata.uid!);
    const saved = await env.store.get(keyKey);
    expect(saved).toBeDefined();
    await env.store.delete(keyKey);

    await admin.requestJson({ method: "POST", path: pkiPaths.renew("e2e-refused") });
    await objectUntil(certificates, "e2e-refused", (c) => c?.status?.failedIssuanceAttempts === 1);
    const failed = get("e2e-refused");
    expect(failed.status?.lastFailureTime).toBe(toRfc3339(clock.now()));
    expect(findCondition(failed.status?.conditions, CONDITION_ISSUING)).toMatchObject({
      status: "True",
      reason: "ManuallyTriggered",
      message: expect.stringMatching(/^issuance failed \(attempt 1\): .*the private key of its issuer "e2e-intermediate" is missing from the store; retrying at /),
    });
    // Still Ready: the certificate issued before is valid.
    expect(readyOf(failed)?.status).toBe("True");
    await manager.idle();

    clock.step(60_000);
    await objectUntil(certificates, "e2e-refused", (c) => c?.status?.failedIssuanceAttempts === 2);
    await manager.idle();

    await env.store.create(keyKey, saved!.value);
    clock.step(2 * 60_000 - 1000);
    await manager.idle();
    expect(get("e2e-refused").status?.revision).toBe(1);
    clock.step(1000);
    await untilRevision("e2e-refused", 2);
    expect(get("e2e-refused").status?.failedIssuanceAttempts).toBeUndefined();
    expect(get("e2e-refused").status?.lastFailureTime).toBeUndefined();
  });

  it("drops a status write made on a stale copy (409), and never erases another writer's condition", async () => {
    await untilReady("e2e-leaf");
    await manager.idle();
    const stale = get("e2e-leaf");
    await admin.requestJson({ method: "POST", path: pkiPaths.renew("e2e-leaf") });
    const conditions = setCondition(stale.status?.conditions, { type: CONDITION_READY, status: "False", reason: "Expired", message: "from a stale copy" }, toRfc3339(clock.now()));
    const written = await writeCertificateStatus({ client: controllerClient, current: stale, status: { conditions }, fieldManager: "test" });
    expect(written).toBe(false);
    await objectUntil(certificates, "e2e-leaf", (c) => (c?.status?.revision ?? 0) > stale.status!.revision! && isReady(c));
    expect(readyOf(get("e2e-leaf"))?.message).not.toBe("from a stale copy");
    expect(issuingReasons.get("e2e-leaf")?.at(-1)).toBe("ManuallyTriggered");
  });
});
