// What the server's TLS layer serves and trusts, read from the store and followed by a watch: the serving
// certificate (a Cert the server owns, so a renewal swaps in without a restart), the client CAs,
// and the CRLs of claw's CAs, so a revocation is enforced at the next handshake on every server sharing
// the store. CRLs are enforced only when every client CA has one: OpenSSL, once given any CRL, demands
// one for each CA in a chain and would refuse every client of a CA claw does not manage.

import type { Logger } from "pino";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { ServingTls } from "../server/api-server.js";
import type { ValueSealer } from "../server/module.js";
import type { ResourceService } from "../server/resource-service.js";
import { resourceKey } from "../store/keys.js";
import { CompactedError, type Store, type StoreWatch } from "../store/store.js";
import type { Clock, Timer } from "../machinery/clock.js";

import { certificateFacts, splitPemCertificates } from "./certificate-facts.js";
import { openKey } from "./issuance.js";
import { crlRoot, listJson, type CrlRecord, type Cert } from "./pki-records.js";

export interface ServingMaterialOptions {
  store: Store;
  resources: () => ResourceService;
  certificates: ResourceInfo;
  sealer: ValueSealer;
  logger: Logger;
  clock: Clock;
  /** What does not come from the store: version, suites, require_client_cert, and files from [tls]. */
  base: Omit<ServingTls, "certPem" | "keyPem"> & { certPem?: string; keyPem?: string };
  /** The Cert the server serves with, when [tls] names no files. */
  servingCertificate?: string;
  /** Trust every CA certificate claw holds for client certificates when [tls] names no ca file. */
  trustStoreCas: boolean;
  /** Told each time a CRL is (re)published, for the copy under the PKI directory's crl/. */
  onCrl?: (record: CrlRecord) => void;
}

/** Serving TLS plus what the server needs to drop live connections of revoked clients. */
export interface Material extends ServingTls {
  revokedSerials: ReadonlySet<string>;
  /**
   * What clients of a server serving its own certificate should trust: claw's root CAs now, and those seen
   * before a renewal until they expire — so a client holding the new bundle still reaches a server whose
   * serving certificate has not been reissued yet.
   */
  trustPem: string;
}

/** How long a watch that ended waits before following again (a store that is down is not asked in a loop). */
const RESUME_AFTER_MS = 1000;

export class ServingMaterial {
  private readonly watches = new Map<string, StoreWatch>();
  private readonly timers = new Set<Timer>();
  private stopped = true;
  private warned = new Set<string>();
  /** Root CA certificates seen since start, by serial, with their expiry. */
  private readonly roots = new Map<string, { pem: string; notAfterMs: number }>();
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ServingMaterialOptions) {}

  async load(): Promise<Material> {
    const { base } = this.opts;
    const cas = ((await this.opts.resources().list(this.opts.certificates)).items as Cert[]).filter((c) => c.spec.isCA && c.status?.certificate && !c.spec.revoked);
    let certPem = base.certPem;
    let keyPem = base.keyPem;
    if (this.opts.servingCertificate) {
      const cert = (await this.opts.resources().get(this.opts.certificates, this.opts.servingCertificate)) as Cert;
      const key = await openKey(this.opts, cert);
      if (!cert.status?.certificate || !key) throw new Error(`the serving certificate "${this.opts.servingCertificate}" has not been issued`);
      certPem = `${cert.status.certificate}${cert.status.chain ?? ""}`;
      keyPem = key;
    }
    if (!certPem || !keyPem) throw new Error("no serving certificate: set [tls] cert and key, or let the server issue its own");
    const clientCaPem = this.opts.trustStoreCas ? cas.map((c) => c.status!.certificate!).join("") : base.clientCaPem;
    // Only CRLs signed by a CA as it stands now: a deleted or renewed CA's last CRL would expire and, naming
    // the same issuer as its successor, could make OpenSSL refuse every client of the new one.
    const current = new Set(cas.map((c) => c.status?.serialNumber));
    const crls = (await listJson<CrlRecord>(this.opts.store, crlRoot)).map((r) => r.value).filter((c) => current.has(c.caSerialNumber));
    const enforced = clientCaPem ? this.coveringCrls(clientCaPem, crls) : [];
    const revokedSerials = new Set(enforced.flatMap((c) => c.serials));
    return {
      ...base,
      trustPem: this.trust(cas),
      certPem,
      keyPem,
      ...(clientCaPem ? { clientCaPem } : {}),
      ...(enforced.length > 0 ? { crlPem: enforced.map((c) => c.pem) } : {}),
      revokedSerials,
    };
  }

  /**
   * Calls onChange with fresh material after every change to a Cert or a CRL, in order. A watch that ends (its
   * etcd member went away, the store was briefly unreachable) is followed again from the last revision it
   * delivered, so a renewal or a revocation made meanwhile is still applied; `onError` is told each time.
   */
  start(fromRevision: number, onChange: (material: Material) => void, onError: (err: Error) => void): void {
    const certificatesPrefix = resourceKey(this.opts.certificates.group, this.opts.certificates.plural, "");
    const reload = () => {
      this.pending = this.pending.then(async () => {
        try {
          onChange(await this.load());
        } catch (err) {
          this.opts.logger.error({ err: (err as Error).message }, "could not reload the TLS material; serving the previous one");
        }
      });
    };
    this.stopped = false;
    const follow = (prefix: string, from: number): void => {
      let last = from - 1;
      const watch = this.opts.store.watch(prefix, {
        fromRevision: from,
        onEvents: (events) => {
          last = Math.max(last, events.at(-1)?.kv.modRevision ?? last);
          if (prefix === crlRoot) for (const e of events) if (e.type === "put") this.opts.onCrl?.(JSON.parse(e.kv.value) as CrlRecord);
          if (prefix === crlRoot || events.some((e) => this.relevant(e.kv.value))) reload();
        },
        onError: (err) => {
          if (this.stopped) return;
          onError(err);
          resume(prefix, last + 1, err instanceof CompactedError);
        },
      });
      this.watches.set(prefix, watch);
    };
    const resume = (prefix: string, from: number, compacted: boolean): void => {
      const timer = this.opts.clock.setTimer(RESUME_AFTER_MS, () => {
        this.timers.delete(timer);
        if (this.stopped) return;
        if (!compacted) return follow(prefix, from);
        // Too far behind to replay: read everything again and follow from now.
        this.opts.store.currentRevision().then(
          (revision) => {
            if (this.stopped) return;
            follow(prefix, revision + 1);
            reload();
          },
          () => resume(prefix, from, compacted),
        );
      });
      this.timers.add(timer);
    };
    // One watch over both areas would cover the whole store; two small ones follow only what matters.
    for (const prefix of [certificatesPrefix, crlRoot]) follow(prefix, fromRevision);
  }

  stop(): void {
    this.stopped = true;
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  /** Only CAs and the serving certificate change what TLS serves or trusts. */
  private relevant(value: string): boolean {
    try {
      const cert = JSON.parse(value) as Cert;
      return cert.spec?.isCA === true || cert.metadata?.name === this.opts.servingCertificate;
    } catch {
      return false;
    }
  }

  private trust(cas: readonly Cert[]): string {
    const now = Date.now();
    for (const ca of cas) if (!ca.spec.issuerRef && ca.status?.serialNumber) this.roots.set(ca.status.serialNumber, { pem: ca.status.certificate!, notAfterMs: Date.parse(ca.status.notAfter ?? "") });
    for (const [serial, root] of this.roots) if (!(root.notAfterMs > now)) this.roots.delete(serial);
    return [...this.roots.values()].map((r) => r.pem).join("");
  }

  /** The CRLs to enforce: all of them when each client CA has a current one, none otherwise. */
  private coveringCrls(clientCaPem: string, crls: readonly CrlRecord[]): CrlRecord[] {
    const bySerial = new Map(crls.map((c) => [c.caSerialNumber, c]));
    const uncovered = splitPemCertificates(clientCaPem)
      .map((pem) => certificateFacts(pem))
      .filter((facts) => !bySerial.has(facts.serialNumber));
    if (uncovered.length === 0) return [...crls];
    const names = uncovered.map((f) => f.commonName).join(", ");
    if (!this.warned.has(names)) {
      this.warned.add(names);
      this.opts.logger.warn({ cas: names }, "revocation is not enforced for client certificates: these client CAs have no CRL published by claw (they are not claw's CAs, or not as issued now)");
    }
    return [];
  }
}

