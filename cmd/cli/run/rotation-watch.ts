// `claw run --restart-on-rotate`: watches the Secrets the command uses (one watch each, by field
// selector) and wakes the supervisor when one's spec.sealed.version moves past the version it runs with.
// Each watch starts with the secret's current state (ADDED), so a rotation between the release and the
// watch is seen too. A broken watch is retried with backoff on the injected clock.

import type { RestClient } from "../../../api/client/rest-client.js";
import { pauseUnlessAborted, type Clock } from "../../../api/machinery/clock.js";
import type { Secret } from "../../../api/types/secret.js";
import { SECRETS } from "../commands/secrets-context.js";

const BACKOFF_MS = { first: 1_000, max: 30_000 };

export interface RotationWatchOptions {
  client: RestClient;
  clock: Clock;
  /** The secrets, and the version of each the command runs with now. */
  versions: ReadonlyMap<string, number>;
  /** Told once per outage of a watch (then again after it worked), and when a secret is deleted. */
  onProblem: (problem: { secret: string; error?: unknown; deleted?: boolean }) => void;
}

export class RotationWatch {
  private readonly seen: Map<string, number>;
  private readonly abort = new AbortController();
  private pending = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: RotationWatchOptions) {
    this.seen = new Map(opts.versions);
  }

  start(): void {
    for (const name of this.seen.keys()) void this.watchLoop(name);
  }

  /** Resolves at the next version change not yet acknowledged (at once when one is waiting). */
  next(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        this.pending = false;
        resolve();
      };
    });
  }

  /** The versions now released to the command: later events of these versions are no change. */
  acknowledge(versions: ReadonlyMap<string, number>): void {
    for (const [name, version] of versions) this.seen.set(name, Math.max(this.seen.get(name) ?? 0, version));
  }

  stop(): void {
    this.abort.abort();
    this.wake = undefined;
  }

  private observe(secret: Secret): void {
    const version = secret.spec?.sealed?.version;
    const name = secret.metadata.name;
    if (version === undefined || !this.seen.has(name) || version <= (this.seen.get(name) ?? 0)) return;
    this.seen.set(name, version);
    this.pending = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async watchLoop(name: string): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      let events = 0;
      try {
        for await (const event of this.opts.client.watch<Secret>(SECRETS, { fieldSelector: `metadata.name=${name}`, signal })) {
          events++;
          failures = 0;
          if (event.type === "ADDED" || event.type === "MODIFIED") this.observe(event.object);
          if (event.type === "DELETED") this.opts.onProblem({ secret: name, deleted: true });
        }
        // A watch the server ended at once, with nothing in it, is retried like a failure, not in a tight loop.
        if (events > 0 || signal.aborted) continue;
        failures++;
      } catch (error) {
        if (signal.aborted) return;
        if (failures++ === 0) this.opts.onProblem({ secret: name, error });
      }
      await this.pause(Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** Math.min(failures - 1, 10)));
    }
  }

  private pause(ms: number): Promise<void> {
    return pauseUnlessAborted(this.opts.clock, ms, this.abort.signal);
  }
}
