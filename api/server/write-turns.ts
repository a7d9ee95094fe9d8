// Writes to one object from this server take turns: concurrent updates of a key run one after another,
// each on the state its predecessor left, instead of all reading one revision, racing the compare-and-swap
// and retrying. The compare-and-swap still guards every write (other servers on one etcd, writers outside
// the service), and a request's own resourceVersion is still checked against the live object.

export class WriteTurns {
  /** Per key: settles when the last turn queued for it has ended. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` once every earlier turn of `key` has ended, however it ended. `work` must not take a turn of the same key. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    this.tails.set(key, done);
    try {
      if (before) await before;
      return await work();
    } finally {
      end();
      if (this.tails.get(key) === done) this.tails.delete(key);
    }
  }

  /** Keys with a turn running or waiting. */
  get keys(): number {
    return this.tails.size;
  }
}
