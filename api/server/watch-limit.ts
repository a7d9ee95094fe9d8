// A cap on open watches per identity, so one credential cannot hold thousands of streams (each costs a
// socket, buffers and a subscription). Over the cap: 429 TooManyRequests with Retry-After.

import { tooManyRequests } from "../machinery/errors.js";

export const DEFAULT_MAX_WATCHES_PER_IDENTITY = 100;

export class WatchLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number = DEFAULT_MAX_WATCHES_PER_IDENTITY) {}

  /** Counts a watch for `identity`; returns its release (idempotent). Throws 429 over the cap. */
  acquire(identity: string): () => void {
    const count = this.open.get(identity) ?? 0;
    if (count >= this.max)
      throw tooManyRequests(`too many open watches for ${identity}: the limit is ${this.max} per identity ([server] max_watches_per_identity); close some or raise the limit`, 5);
    this.open.set(identity, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(identity) ?? 1) - 1;
      if (left <= 0) this.open.delete(identity);
      else this.open.set(identity, left);
    };
  }

  count(identity: string): number {
    return this.open.get(identity) ?? 0;
  }
}
