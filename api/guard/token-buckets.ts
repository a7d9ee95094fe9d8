// Token buckets keyed by source: `rate` tokens a second up to `burst`, refilled lazily when a source asks,
// so an idle source costs nothing. The map is bounded: past `maxKeys` the least recently seen source is
// forgotten (it starts again with a full bucket, which only ever favours it), so a flood of spoofed
// sources cannot grow memory without bound.

export interface Take {
  ok: boolean;
  /** When refused: how long until `cost` tokens are there. */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(private readonly opts: { rate: number; burst: number; perMs?: number; maxKeys?: number }) {
    this.perMs = opts.perMs ?? opts.rate / 1000;
  }

  take(key: string, now: number, cost = 1): Take {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      bucket.tokens = Math.min(this.opts.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    } else {
      bucket = { tokens: this.opts.burst, at: now };
      if (this.buckets.size >= (this.opts.maxKeys ?? 100_000)) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    // Re-inserted: the map's order is least recently seen first.
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil((cost - bucket.tokens) / this.perMs) };
  }

  get size(): number {
    return this.buckets.size;
  }
}
