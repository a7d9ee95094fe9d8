// Each CA's CRL: signed by the CA's current certificate, listing every revoked serial that has not expired,
// valid for a day and re-signed after half of that. Every server runs a publisher; they agree through
// compare-and-swap on the CRL record, so two servers never publish different lists, and a revocation
// (a record under /claw/pki/revoked/) reaches a new CRL within milliseconds of its commit.

import type { Logger } from "pino";
import { toRfc3339, type Clock, type Timer } from "../machinery/clock.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { ValueSealer } from "../server/module.js";
import type { ResourceService } from "../server/resource-service.js";
import { resourcePrefix } from "../store/keys.js";
import type { Store, StoreWatch } from "../store/store.js";

import { BACKDATE_MS } from "../types/certificate-defaults.js";
import { signCrl } from "./crl-signer.js";
import { openKey } from "./issuance.js";
import { crlKey, listJson, readJson, revokedPrefix, revokedRoot, type CrlRecord, type RevokedRecord, type Cert } from "./pki-records.js";

export interface CrlPublisherDeps {
  store: Store;
  resources: () => ResourceService;
  certificates: ResourceInfo;
  sealer: ValueSealer;
  clock: Clock;
  logger: Logger;
  /** How long a CRL is valid (nextUpdate − thisUpdate); default one day. */
  validityMs?: number;
}

const DAY = 86_400_000;

export class CrlPublisher {
  private watches: StoreWatch[] = [];
  private timer: Timer | undefined;
  private stopped = false;
  /** The last refresh asked for, per CA: each runs after the one before, so they never race each other. */
  private readonly running = new Map<string, Promise<CrlRecord | undefined>>();

  constructor(private readonly deps: CrlPublisherDeps) {}

  private get validityMs(): number {
    return this.deps.validityMs ?? DAY;
  }

  /** Publishes a fresh CRL for every issued CA, then follows revocations and CA renewals. */
  async start(): Promise<void> {
    await this.refreshAll();
    const from = (await this.deps.store.currentRevision()) + 1;
    const caOf = (key: string) => key.slice(revokedRoot.length).split("/")[0] ?? "";
    this.watches.push(
      this.deps.store.watch(revokedRoot, {
        fromRevision: from,
        onEvents: (events) => new Set(events.map((e) => caOf(e.kv.key))).forEach((ca) => void this.refreshLogged(ca)),
        onError: (err) => this.restart(err),
      }),
      // A CA issued or renewed signs a new CRL at once: until then OpenSSL would find none for it.
      this.deps.store.watch(resourcePrefix(this.deps.certificates.group, this.deps.certificates.plural), {
        fromRevision: from,
        onEvents: (events) => {
          for (const e of events) {
            if (e.type !== "put") continue;
            const cert = JSON.parse(e.kv.value) as Cert;
            const before = e.prevKv ? (JSON.parse(e.prevKv.value) as Cert) : undefined;
            if (cert.spec?.isCA && cert.status?.serialNumber && cert.status.serialNumber !== before?.status?.serialNumber) void this.refreshLogged(cert.metadata.name);
          }
        },
        onError: (err) => this.restart(err),
      }),
    );
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches) w.close();
    this.watches = [];
    this.timer?.cancel();
  }

  /** Re-signs every CA's CRL that needs it: new entries, a renewed CA, or half its validity gone. */
  async refreshAll(): Promise<void> {
    const cas = ((await this.deps.resources().list(this.deps.certificates)).items as Cert[]).filter((c) => c.spec.isCA && c.status?.certificate);
    await Promise.all(cas.map((ca) => this.refreshLogged(ca.metadata.name)));
  }

  /** Brings one CA's CRL up to date and returns it; undefined when the CA does not exist or is not issued. Calls for one CA run one after another. */
  refresh(ca: string): Promise<CrlRecord | undefined> {
    const previous = this.running.get(ca) ?? Promise.resolve(undefined);
    const run = previous.catch(() => undefined).then(() => this.publish(ca));
    this.running.set(ca, run);
    void run.catch(() => undefined).finally(() => {
      if (this.running.get(ca) === run) this.running.delete(ca);
    });
    return run;
  }

  /** The published CRL of a CA, as stored. */
  async current(ca: string): Promise<CrlRecord | undefined> {
    return (await readJson<CrlRecord>(this.deps.store, crlKey(ca)))?.value;
  }

  private async refreshLogged(ca: string): Promise<void> {
    try {
      await this.refresh(ca);
    } catch (err) {
      this.deps.logger.error({ ca, err: (err as Error).message }, "could not publish the CA's CRL; servers keep enforcing the previous one until it expires");
    }
  }

  private async publish(caName: string): Promise<CrlRecord | undefined> {
    const { store, clock } = this.deps;
    for (let attempt = 0; attempt < 8; attempt++) {
      let ca: Cert;
      try {
        ca = (await this.deps.resources().get(this.deps.certificates, caName)) as Cert;
      } catch {
        return undefined;
      }
      if (!ca.spec.isCA || !ca.status?.certificate || !ca.status.serialNumber) return undefined;
      const now = clock.now();
      const records = await listJson<RevokedRecord>(store, revokedPrefix(caName));
      const live = records.filter(({ value }) => Date.parse(value.notAfter) > now).map(({ value }) => value);
      live.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
      const serials = live.map((r) => r.serialNumber);
      const stored = await readJson<CrlRecord>(store, crlKey(caName));
      const current = stored?.value;
      const fresh = current && now < Date.parse(current.thisUpdate) + BACKDATE_MS + this.validityMs / 2 && now < Date.parse(current.nextUpdate);
      if (current && fresh && current.caSerialNumber === ca.status.serialNumber && sameList(current.serials, serials)) return current;
      const privateKeyPem = await openKey(this.deps, ca);
      if (!privateKeyPem) return undefined;
      const thisUpdate = now - BACKDATE_MS;
      const nextUpdate = now + this.validityMs;
      const number = (current?.number ?? 0) + 1;
      const signed = await signCrl({
        issuer: { certificatePem: ca.status.certificate, privateKeyPem },
        number,
        thisUpdate: new Date(thisUpdate),
        nextUpdate: new Date(nextUpdate),
        entries: live.map((r) => ({ serialNumber: r.serialNumber, revokedAt: new Date(r.revokedAt), reason: r.reason })),
      });
      const record: CrlRecord = { ca: caName, caSerialNumber: ca.status.serialNumber, number, thisUpdate: toRfc3339(thisUpdate), nextUpdate: toRfc3339(nextUpdate), pem: signed.pem, serials };
      // Expired entries leave the list with this CRL, and their records with it.
      const expired = records.filter(({ value }) => Date.parse(value.notAfter) <= now).slice(0, 100);
      const result = await store.txn(
        [stored ? { key: crlKey(caName), modRevision: stored.modRevision } : { key: crlKey(caName), absent: true }],
        [{ kind: "put", key: crlKey(caName), value: JSON.stringify(record) }, ...expired.map(({ key }) => ({ kind: "delete" as const, key }))],
      );
      if (result.succeeded) {
        this.deps.logger.info({ ca: caName, number, revoked: serials.length }, "published the CA's CRL");
        return record;
      }
      // Another server published meanwhile: look again, it may already be what we would write.
    }
    throw new Error(`the CRL of CA "${caName}" kept changing under this server; it will try again`);
  }

  /** Wakes when the soonest CRL needs re-signing, at most every quarter of the validity. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimer(this.validityMs / 4, () => {
      void this.refreshAll()
        .catch((err: Error) => this.deps.logger.error({ err: err.message }, "could not refresh the CRLs"))
        .finally(() => this.schedule());
    });
  }

  private restart(err: Error): void {
    if (this.stopped) return;
    this.deps.logger.warn({ err: err.message }, "the CRL publisher's watch ended; starting it again");
    for (const w of this.watches) w.close();
    this.watches = [];
    this.timer?.cancel();
    void this.start().catch((e: Error) => this.deps.logger.error({ err: e.message }, "could not restart the CRL publisher"));
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

