// The SIEM shipper's durable cursor and lease, one Store key (/claw/audit/export/cursor):
// `seq` is the last entry the SIEM acknowledged; `holder` and `leaseUntil` make one server the shipper at
// a time when several share one etcd. Every change is a compare-and-swap on the key's revision.

import { isStoreError, type Store } from "../store/store.js";
import { EXPORT_CURSOR_KEY } from "./batch-keys.js";

export interface CursorValue {
  v: 1;
  /** The last seq the SIEM acknowledged (0: nothing yet). */
  seq: number;
  holder: string;
  /** ms since the epoch; another server may take over after it. */
  leaseUntil: number;
}

export interface HeldCursor {
  value: CursorValue;
  modRevision: number;
}

export class ExportCursor {
  constructor(
    private readonly store: Store,
    private readonly holder: string,
    private readonly leaseMs: number,
    /** The key it lives under: the SIEM's by default; the alert webhook has its own. */
    private readonly key: string = EXPORT_CURSOR_KEY,
  ) {}

  /** The cursor if this server holds (or could take) the lease, renewing it when half spent; undefined while another holds it. */
  async claim(nowMs: number, held?: HeldCursor): Promise<HeldCursor | undefined> {
    if (held && held.value.holder === this.holder && held.value.leaseUntil - nowMs > this.leaseMs / 2) return held;
    const kv = await this.store.get(this.key);
    if (!kv) return this.write({ v: 1, seq: 0, holder: this.holder, leaseUntil: nowMs + this.leaseMs }, undefined);
    const value = parse(kv.value, this.key);
    if (value.holder !== this.holder && value.leaseUntil > nowMs) return undefined;
    return this.write({ ...value, holder: this.holder, leaseUntil: nowMs + this.leaseMs }, kv.modRevision);
  }

  /** Records that the SIEM acknowledged everything up to seq; undefined when another server took the cursor meanwhile. */
  advance(held: HeldCursor, seq: number, nowMs: number): Promise<HeldCursor | undefined> {
    return this.write({ ...held.value, seq, holder: this.holder, leaseUntil: nowMs + this.leaseMs }, held.modRevision);
  }

  /** Gives the lease up (graceful stop), so another server takes over at once. */
  async release(held: HeldCursor): Promise<void> {
    await this.write({ ...held.value, leaseUntil: 0 }, held.modRevision);
  }

  async read(): Promise<CursorValue | undefined> {
    const kv = await this.store.get(this.key);
    return kv ? parse(kv.value, this.key) : undefined;
  }

  private async write(value: CursorValue, expected: number | undefined): Promise<HeldCursor | undefined> {
    try {
      const kv = expected === undefined ? await this.store.create(this.key, JSON.stringify(value)) : await this.store.update(this.key, JSON.stringify(value), expected);
      return { value, modRevision: kv.modRevision };
    } catch (err) {
      if (isStoreError(err, "KeyExists") || isStoreError(err, "RevisionConflict") || isStoreError(err, "KeyNotFound")) return undefined;
      throw err;
    }
  }
}

function parse(raw: string, key: string): CursorValue {
  const v = JSON.parse(raw) as Partial<CursorValue>;
  if (typeof v.seq !== "number" || typeof v.holder !== "string" || typeof v.leaseUntil !== "number") throw new Error(`the export cursor ${key} is malformed; delete it to ship from the start again`);
  return v as CursorValue;
}
