// Logged-out session tokens: one internal key per jti, shared by every server through the store, kept
// until the token's own expiry (after which the token is refused anyway) and then swept away.

import type { Clock, Timer } from "../machinery/clock.js";
import { internalKey } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import { REVOKED_TOKENS_AREA, type RevokedTokenRecord } from "./identity-records.js";

const SWEEP_INTERVAL_MS = 15 * 60_000;

export class TokenDenylist {
  private timer: Timer | undefined;

  constructor(private readonly opts: { store: Store; clock: Clock; onError?: (err: unknown) => void }) {}

  /** Denies a token until it expires; idempotent. */
  async revoke(tokenId: string, record: RevokedTokenRecord): Promise<void> {
    await this.claim(tokenId, record);
  }

  /**
   * Denies a token and says whether this call did it: false when it was already denied. A store create, so
   * of several callers at once, on any server sharing the store, exactly one gets true.
   */
  async claim(tokenId: string, record: RevokedTokenRecord): Promise<boolean> {
    try {
      await this.opts.store.create(internalKey(REVOKED_TOKENS_AREA, tokenId), JSON.stringify(record));
      return true;
    } catch (err) {
      if (!isStoreError(err, "KeyExists")) throw err;
      return false;
    }
  }

  /** Deletes the entries of tokens that have expired; returns how many. Safe to run on several servers at once. */
  async sweep(): Promise<number> {
    const now = this.opts.clock.now();
    const { items } = await this.opts.store.list(internalKey(REVOKED_TOKENS_AREA, ""));
    let removed = 0;
    for (const kv of items) {
      if ((JSON.parse(kv.value) as RevokedTokenRecord).expiresAtMs > now) continue;
      try {
        await this.opts.store.delete(kv.key, kv.modRevision);
        removed++;
      } catch (err) {
        if (!isStoreError(err, "KeyNotFound") && !isStoreError(err, "RevisionConflict")) throw err;
      }
    }
    return removed;
  }

  start(): void {
    const tick = () => {
      this.sweep()
        .catch((err: unknown) => this.opts.onError?.(err))
        .finally(() => {
          if (this.timer) this.timer = this.opts.clock.setTimer(SWEEP_INTERVAL_MS, tick);
        });
    };
    this.timer = this.opts.clock.setTimer(SWEEP_INTERVAL_MS, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
