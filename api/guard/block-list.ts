// The BlockRules this server enforces, followed by a watch on the store so a rule written through any server
// is enforced here within milliseconds. Held in a CIDR trie; a rule stops matching at its expiry even before
// the controller marks it inactive, so an expired block never outlives its time.

import type { Logger } from "pino";
import type { Clock } from "../machinery/clock.js";
import { decodeObject, resourcePrefix } from "../store/keys.js";
import type { Store, StoreWatch, WatchEvent } from "../store/store.js";
import type { BlockRule } from "../types/block-rule.js";
import { blockRuleExpiry } from "../types/block-rule-expiry.js";
import { CidrSet, parseCidr } from "./cidr-set.js";

export interface BlockEntry {
  name: string;
  cidr: string;
  reason: string;
  source: "manual" | "auto";
  /** Infinity for a permanent block. */
  expiresAtMs: number;
}

const GROUP = "security.clawbernetes.com";

export class BlockList {
  private readonly set = new CidrSet<BlockEntry>();
  private readonly byName = new Map<string, BlockEntry>();
  private watch: StoreWatch | undefined;
  private stopped = false;

  constructor(private readonly opts: { store: Store; clock: Clock; logger: Logger }) {}

  async start(): Promise<void> {
    const prefix = resourcePrefix(GROUP, "blockrules");
    const page = await this.opts.store.list(prefix);
    this.set.clear();
    this.byName.clear();
    for (const kv of page.items) this.put(decodeObject<BlockRule>(kv));
    this.watch = this.opts.store.watch(prefix, {
      fromRevision: page.revision + 1,
      onEvents: (events) => events.forEach((e) => this.apply(e)),
      onError: (err) => {
        if (this.stopped) return;
        this.opts.logger.warn({ err: err.message }, "the blocklist watch ended; reading the BlockRules again");
        void this.start().catch((e: Error) => this.opts.logger.error({ err: e.message }, "could not restart the blocklist watch"));
      },
    });
  }

  stop(): void {
    this.stopped = true;
    this.watch?.close();
  }

  /** The rule that blocks `ip` now, if any. */
  blocking(ip: string, now: number): BlockEntry | undefined {
    if (this.set.size === 0) return undefined;
    return this.set.match(ip).find((e) => e.expiresAtMs > now);
  }

  /** Enforces a rule this server just wrote before its watch event arrives. */
  enforceNow(rule: BlockRule): void {
    this.put(rule);
  }

  get size(): number {
    return this.byName.size;
  }

  private apply(event: WatchEvent): void {
    if (event.type === "delete") return this.remove(event.kv.key.slice(event.kv.key.lastIndexOf("/") + 1));
    this.put(decodeObject<BlockRule>(event.kv));
  }

  private put(rule: BlockRule): void {
    const name = rule.metadata.name;
    this.remove(name);
    const spec = rule.spec;
    const cidr = spec ? parseCidr(spec.cidr) : undefined;
    if (!spec || !cidr) return;
    const expiry = blockRuleExpiry(rule);
    // An unreadable expiry (the schema makes it all but impossible) is shown by the controller as Active=False, InvalidExpiry; not enforced, as it says.
    if (expiry.kind === "invalid") return;
    const entry: BlockEntry = { name, cidr: cidr.text, reason: spec.reason ?? "", source: spec.source ?? "manual", expiresAtMs: expiry.kind === "at" ? expiry.ms : Number.POSITIVE_INFINITY };
    this.byName.set(name, entry);
    this.set.add(cidr.text, entry);
  }

  private remove(name: string): void {
    const old = this.byName.get(name);
    if (!old) return;
    this.byName.delete(name);
    this.set.delete(old.cidr, old);
  }
}
