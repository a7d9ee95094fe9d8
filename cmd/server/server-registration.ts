// Each `claw server` records itself in the store's internal key space (/claw/servers/{id}) and renews the
// record while it runs, so `claw status` on any replica lists every server sharing the store: a record not
// renewed within STALE_AFTER_MS belongs to a server that died or lost the store. A graceful stop deletes it.

import type { Logger } from "pino";
import type { Clock, Timer } from "../../api/machinery/clock.js";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { internalKey } from "../../api/store/keys.js";
import type { Store } from "../../api/store/store.js";

export const SERVERS_PREFIX = internalKey("servers", "");
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Three missed renewals. */
export const STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** A record not renewed for a day belongs to a server that is gone (killed, never stopped): the next start removes it. */
export const FORGET_AFTER_MS = 86_400_000;

export interface ServerRecord {
  v: 1;
  id: string;
  version: string;
  url: string;
  /** RFC 3339. */
  startedAt: string;
  lastSeen: string;
}

export interface ServerRegistrationOptions {
  store: Store;
  clock: Clock;
  logger: Pick<Logger, "warn">;
  id: string;
  version: string;
  url: string;
  intervalMs?: number;
}

export class ServerRegistration {
  private timer: Timer | undefined;
  private stopped = false;
  private inflight: Promise<void> | undefined;
  private readonly startedAt: string;
  private readonly key: string;

  constructor(private readonly opts: ServerRegistrationOptions) {
    this.startedAt = toRfc3339(opts.clock.now());
    this.key = `${SERVERS_PREFIX}${opts.id}`;
  }

  get id(): string {
    return this.opts.id;
  }

  /** Writes the record once (a failure here stops the start: the store is unusable), forgets long-dead servers, then renews on a timer. */
  async start(): Promise<void> {
    await this.write();
    await this.forgetLongDead();
    this.arm();
  }

  private async forgetLongDead(): Promise<void> {
    const { items } = await this.opts.store.list(SERVERS_PREFIX);
    for (const kv of items) {
      const seen = Date.parse(parseServerRecord(kv.value)?.lastSeen ?? "");
      if (kv.key === this.key || (!Number.isNaN(seen) && this.opts.clock.now() - seen < FORGET_AFTER_MS)) continue;
      // Guarded by its revision: a server that came back meanwhile keeps its record.
      await this.opts.store.txn([{ key: kv.key, modRevision: kv.modRevision }], [{ kind: "delete", key: kv.key }]);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    // A renewal in flight must not land after the delete and bring the record back.
    await this.inflight;
    await this.opts.store.txn([], [{ kind: "delete", key: this.key }]).catch(() => undefined);
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimer(this.opts.intervalMs ?? HEARTBEAT_INTERVAL_MS, () => {
      this.inflight = this.write()
        .catch((err: Error) => this.opts.logger.warn({ err: err.message }, "could not renew this server's record in the store; other replicas will show it stale"))
        .finally(() => this.arm());
    });
  }

  private async write(): Promise<void> {
    if (this.stopped) return;
    const record: ServerRecord = { v: 1, id: this.opts.id, version: this.opts.version, url: this.opts.url, startedAt: this.startedAt, lastSeen: toRfc3339(this.opts.clock.now()) };
    await this.opts.store.txn([], [{ kind: "put", key: this.key, value: JSON.stringify(record) }]);
  }
}

/** Every server record in the store; a malformed one (another version's, a hand edit) is skipped. */
export async function readServerRecords(store: Store): Promise<ServerRecord[]> {
  const { items } = await store.list(SERVERS_PREFIX);
  return items.map((kv) => parseServerRecord(kv.value)).filter((r): r is ServerRecord => r !== undefined);
}

export function parseServerRecord(raw: string): ServerRecord | undefined {
  try {
    const v = JSON.parse(raw) as Partial<ServerRecord>;
    const strings = [v.id, v.version, v.url, v.startedAt, v.lastSeen];
    return v.v === 1 && strings.every((s) => typeof s === "string") ? (v as ServerRecord) : undefined;
  } catch {
    return undefined;
  }
}
