// The PKI module: Certificates issued by the server (the CA keys never leave it except through the audited
// privatekey endpoint) or signed for a node's CSR (the csrSigner it provides to the modules listed after it),
// their admission (who may issue which identity, revocation for good), each CA's CRL published by every
// server, and the server's own TLS: at start it ensures the root CA and its serving certificate in the store —
// shared by every server on one etcd, so one client config reaches any of them — then follows renewals and
// revocations with a watch and swaps them into the listening server.

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isIP } from "node:net";
import { isApiError } from "../machinery/errors.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { AdmissionPlugin } from "../server/admission.js";
import type { ServingTls } from "../server/api-server.js";
import type { CsrSigner, ModuleContext, ModuleRuntime, ServerModule, ValueSealer } from "../server/module.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Route } from "../server/route-table.js";
import type { CertificateSpec } from "../types/certificate.js";
import { ROOT_CA_NAME } from "../types/pki-api.js";
import { certificateAdmission } from "./certificate-admission.js";
import { CrlPublisher } from "./crl-publisher.js";
import { csrSigner } from "./csr-signer.js";
import { issueCertificate, openKey, type IssuanceDeps } from "./issuance.js";
import { crlEndpoint, issueEndpoint, privateKeyEndpoint, renewEndpoint, revokeEndpoint, type PkiEndpointDeps } from "./pki-endpoints.js";
import { keyRecordRoot, keySealName, listJson, put, type Cert, type CrlRecord, type KeyRecord } from "./pki-records.js";
import { ServingMaterial, type Material } from "./serving-material.js";

export interface PkiModuleOptions {
  /** Where the root CA certificate and the CRLs are copied for people and tools (DIR/pki); none when absent. */
  pkiDir?: string;
  /** How long a CRL is valid; default one day. */
  crlValidityMs?: number;
}

/** What the server serves with, as the PKI ensured it at start. */
export interface ServerTlsRequest {
  base: Omit<ServingTls, "certPem" | "keyPem"> & { certPem?: string; keyPem?: string };
  /** Names the server's own certificate carries, when [tls] names no files. */
  hosts?: readonly string[];
  /** The server's own Certificate's name. */
  servingName?: string;
}

const FIELD_MANAGER = "claw-server-pki";

export class PkiModule implements ServerModule {
  readonly name = "pki";
  readonly admission: readonly AdmissionPlugin[];
  readonly routes: readonly Route[];
  readonly crls: CrlPublisher;
  /** The CSR signer the nodes module joins and renews nodes with. */
  readonly provides: { csrSigner: CsrSigner };
  private readonly certificates: ResourceInfo;
  private readonly sealer: ValueSealer;
  private resources: ResourceService | undefined;
  private material: ServingMaterial | undefined;
  /** True when this start made the root CA (the first start on a store). */
  createdRootCa = false;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly opts: PkiModuleOptions = {},
  ) {
    const info = ctx.registry.byPlural("certificates");
    if (!info) throw new Error("the CRD registry has no certificates; is crds/ complete?");
    if (!ctx.sealer) throw new Error("the PKI module needs the secrets module's sealer for private keys: list secrets before pki");
    this.certificates = info;
    this.sealer = ctx.sealer;
    this.crls = new CrlPublisher({ ...this.issuance(), logger: ctx.logger.child({ component: "pki" }), ...(opts.crlValidityMs ? { validityMs: opts.crlValidityMs } : {}) });
    this.provides = { csrSigner: csrSigner(this.issuance()) };
    this.admission = [certificateAdmission({ store: ctx.store, clock: ctx.clock, permissions: () => ctx.permissions })];
    const deps: PkiEndpointDeps = { ...this.issuance(), audit: ctx.audit, crls: this.crls, maxBodyBytes: ctx.maxBodyBytes };
    const target = { group: info.group, version: info.version, resource: "certificates", isResourceRequest: true };
    const base = `/apis/${info.group}/${info.version}/certificates/{name}`;
    const sub = (subresource: string) => ({ ...target, subresource });
    this.routes = [
      { id: "certificates.issue", method: "POST", path: `${base}/issue`, verb: "create", target: sub("issue"), access: { kind: "permission", resource: "certificates", action: "admin" }, cost: "write", handler: (rc) => issueEndpoint(rc, deps) },
      { id: "certificates.renew", method: "POST", path: `${base}/renew`, verb: "create", target: sub("renew"), access: { kind: "permission", resource: "certificates", action: "update" }, cost: "write", handler: (rc) => renewEndpoint(rc, deps) },
      { id: "certificates.revoke", method: "POST", path: `${base}/revoke`, verb: "create", target: sub("revoke"), access: { kind: "permission", resource: "certificates", action: "update" }, cost: "write", handler: (rc) => revokeEndpoint(rc, deps) },
      { id: "certificates.privatekey", method: "POST", path: `${base}/privatekey`, verb: "create", target: sub("privatekey"), access: { kind: "permission", resource: "certificates", action: "admin" }, cost: "read", refusal: { type: "certificates.keyaccessed", kind: "Certificate" }, handler: (rc) => privateKeyEndpoint(rc, deps) },
      { id: "pki.crl", method: "GET", path: "/pki/crl/{name}", verb: "get", access: { kind: "public" }, cost: "read", handler: (rc) => crlEndpoint(rc, deps, (rc.info.name ?? "").endsWith(".pem") ? "pem" : "der") },
    ];
  }

  async start(runtime: ModuleRuntime): Promise<void> {
    this.resources = runtime.resources;
    await this.resealKeys();
    await this.ensureRootCa();
    await this.crls.start();
  }

  async stop(): Promise<void> {
    this.crls.stop();
    this.material?.stop();
  }

  /**
   * The TLS the server listens with: its own Certificate (made and issued now when missing, stale or not
   * naming every host) unless [tls] names files, the client CAs and the CRLs. `follow` then swaps changes in.
   */
  async servingTls(request: ServerTlsRequest): Promise<Material> {
    const servingName = request.base.certPem ? undefined : (request.servingName ?? "claw-server");
    if (servingName) await this.ensureServingCertificate(servingName, request.hosts ?? []);
    this.material = new ServingMaterial({
      store: this.ctx.store,
      resources: () => this.service(),
      certificates: this.certificates,
      sealer: this.sealer,
      logger: this.ctx.logger.child({ component: "pki" }),
      clock: this.ctx.clock,
      base: request.base,
      ...(servingName ? { servingCertificate: servingName } : {}),
      trustStoreCas: !request.base.clientCaPem,
      onCrl: (record) => this.writeCrlFile(record),
    });
    const material = await this.material.load();
    for (const record of await Promise.all([ROOT_CA_NAME].map((ca) => this.crls.current(ca)))) if (record) this.writeCrlFile(record);
    this.writeTrustFile(material.trustPem);
    return material;
  }

  /** Swaps every later change (renewal, new CRL) into the server through `apply`. */
  async follow(apply: (material: Material) => void): Promise<void> {
    if (!this.material) throw new Error("servingTls() first");
    const from = (await this.ctx.store.currentRevision()) + 1;
    // Whatever changed between load and now is read once more so nothing falls between the two.
    const applyAndWrite = (material: Material) => {
      apply(material);
      this.writeTrustFile(material.trustPem);
    };
    applyAndWrite(await this.material.load());
    this.material.start(from, applyAndWrite, (err) => this.ctx.logger.warn({ err: err.message }, "the TLS material watch ended; following it again"));
  }

  /**
   * A client certificate for a user, issued by the root CA (the bootstrap admin's, written into admin.conf
   * when the server requires client certificates). Returns the PEMs.
   */
  async clientCertificateFor(username: string, certificateName: string): Promise<{ certificatePem: string; keyPem: string }> {
    const spec: CertificateSpec = { commonName: username, issuerRef: { name: ROOT_CA_NAME }, usages: ["digital signature", "client auth"] };
    const cert = await this.ensureIssued(certificateName, spec);
    const key = await openKey(this.issuance(), cert);
    if (!cert.status?.certificate || !key) throw new Error(`the client certificate "${certificateName}" could not be issued`);
    return { certificatePem: `${cert.status.certificate}${cert.status.chain ?? ""}`, keyPem: key };
  }

  /** The root CA's certificate, PEM. */
  async rootCaPem(): Promise<string> {
    const root = (await this.service().get(this.certificates, ROOT_CA_NAME)) as Cert;
    return root.status?.certificate ?? "";
  }

  /**
   * Private keys sealed under a master key that is no longer the first of the keyring are sealed again under
   * the first, so once a server has started with the new key first the old one can be dropped (as
   * `claw secrets rekey` does for Secret values). A record another server rewrote meanwhile is left to it.
   */
  private async resealKeys(): Promise<void> {
    const records = await listJson<KeyRecord>(this.ctx.store, keyRecordRoot);
    let resealed = 0;
    for (const { key, value, modRevision } of records) {
      if (this.sealer.isCurrent(value.sealed)) continue;
      const name = keySealName(value.uid, value.serialNumber);
      const sealed = this.sealer.seal(name, this.sealer.open(name, value.sealed));
      const result = await this.ctx.store.txn([{ key, modRevision }], [put(key, { ...value, sealed })]);
      if (result.succeeded) resealed++;
    }
    if (resealed > 0) this.ctx.logger.info({ resealed }, "sealed certificate private keys again under the first master key");
  }

  private async ensureRootCa(): Promise<Cert> {
    const existed = (await this.getOrUndefined(ROOT_CA_NAME))?.status?.certificate !== undefined;
    const root = await this.ensureIssued(ROOT_CA_NAME, { isCA: true, commonName: "Clawbernetes Root CA" }, { keepSpec: true });
    this.createdRootCa = !existed && root.status?.revision === 1;
    return root;
  }

  private async ensureServingCertificate(name: string, hosts: readonly string[]): Promise<void> {
    const names = [...new Set(["localhost", "127.0.0.1", "::1", ...hosts.filter((h) => h && h !== "0.0.0.0" && h !== "::")])];
    const spec: CertificateSpec = {
      commonName: "claw-server",
      issuerRef: { name: ROOT_CA_NAME },
      dnsNames: names.filter((h) => !isIP(h)).map((h) => h.toLowerCase()).sort(),
      ipAddresses: names.filter((h) => isIP(h)).sort(),
      usages: ["digital signature", "key encipherment", "server auth"],
    };
    await this.ensureIssued(name, spec, { mergeNames: true });
  }

  /**
   * Creates the Certificate when missing (another server may win: then its object is used), widens its
   * names when asked, and issues it now when it is not issued, not signed by its issuer's current
   * certificate or past its renewal time — the controllers do this later, but the server needs it now.
   */
  private async ensureIssued(name: string, spec: CertificateSpec, opts: { keepSpec?: boolean; mergeNames?: boolean } = {}): Promise<Cert> {
    const resources = this.service();
    for (let attempt = 0; attempt < 10; attempt++) {
      let cert = await this.getOrUndefined(name);
      if (!cert) {
        try {
          cert = (await resources.create(this.certificates, { apiVersion: `${this.certificates.group}/${this.certificates.version}`, kind: "Certificate", metadata: { name }, spec }, { fieldManager: FIELD_MANAGER, fieldValidation: "Strict", dryRun: false })).object as Cert;
        } catch (err) {
          if (isApiError(err) && err.code === 409) continue;
          throw err;
        }
      } else if (!opts.keepSpec && this.specNeedsUpdate(cert, spec, opts.mergeNames === true)) {
        const merged = this.mergedSpec(cert, spec, opts.mergeNames === true);
        cert = (await resources.guaranteedUpdate(this.certificates, name, { fieldManager: FIELD_MANAGER, fieldValidation: "Strict", dryRun: false, subresource: undefined }, (live) => ({ ...live, spec: merged }))).object as Cert;
      }
      if (!(await this.needsIssue(cert))) return cert;
      try {
        return (await issueCertificate(this.issuance(), name, { expectedRevision: cert.status?.revision ?? 0, fieldManager: FIELD_MANAGER, reason: cert.status?.certificate ? "Renewing" : "DoesNotExist" })).object as Cert;
      } catch (err) {
        if (isApiError(err) && err.code === 409 && attempt < 9) continue;
        throw err;
      }
    }
    throw new Error(`could not ensure certificate "${name}": it kept changing`);
  }

  private async needsIssue(cert: Cert): Promise<boolean> {
    const status = cert.status;
    if (!status?.certificate || !status.serialNumber || cert.spec.revoked) return !cert.spec.revoked;
    if (!(await openKey(this.issuance(), cert))) return true;
    const now = this.ctx.clock.now();
    if (Date.parse(status.renewalTime ?? "") <= now || Date.parse(status.notAfter ?? "") <= now) return true;
    if (this.issuedGeneration(cert) !== cert.metadata.generation) return true;
    if (cert.spec.issuerRef) {
      const issuer = await this.getOrUndefined(cert.spec.issuerRef.name);
      if (issuer?.status?.serialNumber && issuer.status.serialNumber !== status.issuerSerialNumber) return true;
    }
    return false;
  }

  /** The generation the Issuing condition says was issued. */
  private issuedGeneration(cert: Cert): number | undefined {
    return cert.status?.conditions?.find((c) => c.type === "Issuing" && c.reason === "Issued")?.observedGeneration;
  }

  private specNeedsUpdate(cert: Cert, wanted: CertificateSpec, mergeNames: boolean): boolean {
    return JSON.stringify(this.mergedSpec(cert, wanted, mergeNames)) !== JSON.stringify(cert.spec);
  }

  /** Servers sharing one serving Certificate each add their names; none removes another's. */
  private mergedSpec(cert: Cert, wanted: CertificateSpec, mergeNames: boolean): CertificateSpec {
    if (!mergeNames) return { ...cert.spec, ...wanted };
    const union = (a: readonly string[] | undefined, b: readonly string[] | undefined) => [...new Set([...(a ?? []), ...(b ?? [])])].sort();
    return { ...cert.spec, ...wanted, dnsNames: union(cert.spec.dnsNames, wanted.dnsNames), ipAddresses: union(cert.spec.ipAddresses, wanted.ipAddresses) };
  }

  private async getOrUndefined(name: string): Promise<Cert | undefined> {
    try {
      return (await this.service().get(this.certificates, name)) as Cert;
    } catch (err) {
      if (isApiError(err) && err.code === 404) return undefined;
      throw err;
    }
  }

  private writeCrlFile(record: CrlRecord): void {
    if (!this.opts.pkiDir) return;
    try {
      const dir = join(this.opts.pkiDir, "crl");
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      writeFileSync(join(dir, `${record.ca}.crl`), record.pem, { mode: 0o644 });
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, "could not write the CRL under the PKI directory");
    }
  }

  /** DIR/pki/ca.crt: the root CAs clients trust, for people and tools on this host. */
  private writeTrustFile(pem: string): void {
    const dir = this.opts.pkiDir;
    if (!dir || !pem) return;
    const path = join(dir, "ca.crt");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path, pem, { mode: 0o644 });
    chmodSync(path, 0o644);
  }

  private issuance(): IssuanceDeps {
    return { resources: () => this.service(), certificates: this.certificates, store: this.ctx.store, sealer: this.sealer, clock: this.ctx.clock, random: (n) => this.ctx.random.bytes(n) };
  }

  private service(): ResourceService {
    if (!this.resources) throw new Error("the PKI module has not started");
    return this.resources;
  }
}
