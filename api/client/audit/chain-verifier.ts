// Verifies a stored audit log batch by batch, in one pass and constant memory, and names the first bad
// entry by seq. What it proves, given trusted public keys:
// - every entry is in place: seqs run 1, 2, 3… (or from the anchor on) with none missing, repeated or moved;
// - every entry is unaltered: its hash matches its canonical content and its prevHash its predecessor's hash;
// - every checkpoint matches the chain at its seq and is signed by a trusted key, so even a rewrite that
//   recomputed every hash is caught at the first checkpoint after it;
// - batches run without gaps and their headers agree with their entries (truncation inside a batch);
// - with a witness (a checkpoint seen earlier and kept elsewhere), that the log still reaches and agrees
//   with it: truncation of whole batches beyond the last checkpoint the store still holds.
// Entries after the last checkpoint are linked but not yet signed; the report counts them.

import type { KeyObject } from "node:crypto";
import { checkpointProblem, type Checkpoint } from "./checkpoint.js";
import { entryHash, GENESIS_HASH, sha256Hex } from "./entry-hash.js";
import type { Anchor } from "./batch.js";
import { isAuditOutcome, type AuditEntry } from "./event.js";

export interface Witness {
  seq: number;
  hash: string;
}

export interface ChainVerifierOptions {
  /** Keys checkpoints must be signed with, by key id. */
  trustedKeys: ReadonlyMap<string, KeyObject>;
  /** False skips signature checks (the log is not signed); hashes and order are still checked. */
  checkSignatures: boolean;
  anchor?: Anchor;
  witness?: Witness;
  /** Start mid-chain (parallel verification of a slice): expect this batch, this seq, this prevHash. */
  resume?: ChainState;
  /** Remember the hash of this entry when passing it (the parallel verifier's witness check). */
  probeSeq?: number;
}

/** Where a verifier stands: the batch, seq and prevHash it expects next. */
export interface ChainState {
  batch: number;
  seq: number;
  prev: string;
}

export interface VerifyFailure {
  /** The first bad entry: where the stored log stops being the log that was written. */
  seq: number;
  /** The batch it was found in, when known. */
  batch?: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  failure?: VerifyFailure;
  /** Entries verified, and their range. */
  entries: number;
  firstSeq: number;
  lastSeq: number;
  batches: number;
  checkpoints: number;
  lastCheckpoint?: Checkpoint;
  /** Entries after the last checkpoint (linked, not yet signed). */
  unsignedTail: number;
  keysUsed: string[];
  anchor?: Anchor;
  notes: string[];
}

export class ChainVerifier {
  private expectedSeq: number;
  private prev: string;
  private expectedBatch: number;
  private failure: VerifyFailure | undefined;
  private entries = 0;
  private batches = 0;
  private checkpoints = 0;
  private lastCheckpoint: Checkpoint | undefined;
  private readonly keysUsed = new Set<string>();
  private readonly notes: string[] = [];
  private readonly firstSeq: number;

  /** The hash of entry probeSeq, once passed. */
  probed: string | undefined;

  constructor(private readonly opts: ChainVerifierOptions) {
    const anchor = opts.anchor;
    const resume = opts.resume;
    this.expectedSeq = resume ? resume.seq : anchor ? anchor.seq + 1 : 1;
    this.firstSeq = this.expectedSeq;
    this.prev = resume ? resume.prev : anchor ? anchor.hash : GENESIS_HASH;
    this.expectedBatch = resume ? resume.batch : anchor ? anchor.batch : 1;
    if (anchor && !resume) this.checkAnchor(anchor);
  }

  /** Where it stands now. */
  state(): ChainState {
    return { batch: this.expectedBatch, seq: this.expectedSeq, prev: this.prev };
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The last seq verified so far. */
  get lastVerifiedSeq(): number {
    return this.expectedSeq - 1;
  }

  /** Feeds the next stored batch (its number and stored value); returns false once the log is known bad. */
  addBatch(batch: number, raw: string): boolean {
    if (this.failure) return false;
    const anchor = this.opts.resume ? undefined : this.opts.anchor;
    if (anchor && batch < anchor.batch) return true; // left behind by an interrupted prune; before the anchor
    if (batch !== this.expectedBatch)
      return this.fail(batch > this.expectedBatch ? `batch ${this.expectedBatch} is missing (the next stored batch is ${batch})` : `batch ${batch} is stored out of order`, batch);
    this.expectedBatch++;
    this.batches++;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return this.fail(`batch ${batch} is not valid JSON`, batch);
    }
    if (!record || typeof record !== "object" || record.v !== 1 || record.batch !== batch || !Array.isArray(record.entries) || !Array.isArray(record.checkpoints) || typeof record.lastSeq !== "number" || typeof record.lastHash !== "string")
      return this.fail(`batch ${batch} is not a well-formed batch record`, batch);
    const checkpoints = (record.checkpoints as unknown[]).filter(isCheckpointShape);
    if (checkpoints.length !== (record.checkpoints as unknown[]).length) return this.fail(`batch ${batch} holds a malformed checkpoint`, batch);
    checkpoints.sort((a, b) => a.seq - b.seq);
    let c = 0;
    const skipThrough = anchor && batch === anchor.batch ? anchor.seq : 0;
    // A checkpoint-only batch signs the head it found.
    while (c < checkpoints.length && checkpoints[c]!.seq <= this.expectedSeq - 1) {
      const cp = checkpoints[c++]!;
      if (cp.seq <= skipThrough) continue;
      if (cp.seq < this.expectedSeq - 1) return this.fail(`batch ${batch} holds a checkpoint over entry ${cp.seq}, which belongs to an earlier batch`, batch);
      if (!this.checkCheckpoint(cp, batch)) return false;
    }
    for (const item of record.entries as unknown[]) {
      const e = item as Record<string, unknown>;
      if (skipThrough > 0 && this.entries === 0 && e && typeof e === "object" && typeof e.seq === "number" && e.seq <= skipThrough) continue;
      const seq = this.expectedSeq;
      if (!e || typeof e !== "object") return this.fail(`entry ${seq} is not an object`, batch);
      if (e.seq !== seq) {
        return this.fail(
          typeof e.seq === "number" && e.seq > seq ? `entry ${seq} is missing (entry ${e.seq} stands in its place)` : `entry ${seq} is missing or out of order (found ${JSON.stringify(e.seq)} in its place)`,
          batch,
        );
      }
      const malformed = shapeProblem(e);
      if (malformed) return this.fail(`entry ${seq} is malformed: ${malformed}`, batch);
      if (typeof e.hash !== "string") return this.fail(`entry ${seq} carries no hash: it was written with [audit] hash_chain = false and cannot be verified`, batch);
      if (!hashMatches(e, e.hash)) return this.fail(`entry ${seq} was altered: its content does not match its hash`, batch);
      if (e.prevHash !== this.prev) return this.fail(`entry ${seq} does not follow entry ${seq - 1}: its prevHash is not entry ${seq - 1}'s hash (an entry was edited with its hash recomputed, inserted or removed)`, batch);
      this.prev = e.hash;
      if (seq === this.opts.probeSeq) this.probed = e.hash;
      this.expectedSeq++;
      this.entries++;
      const witness = this.opts.witness;
      if (witness && witness.seq === seq && witness.hash !== e.hash) return this.fail(`entry ${seq} differs from the entry your witness file recorded at that seq: the log was rewritten`, batch);
      while (c < checkpoints.length && checkpoints[c]!.seq === seq) if (!this.checkCheckpoint(checkpoints[c++]!, batch)) return false;
    }
    const last = this.expectedSeq - 1;
    if (c < checkpoints.length) return this.fail(`entry ${this.expectedSeq} is missing: batch ${batch} ends at entry ${last} but signs a checkpoint over entry ${checkpoints[c]!.seq}`, batch);
    if (record.lastSeq > last) return this.fail(`entry ${this.expectedSeq} is missing: batch ${batch} says it ends at entry ${record.lastSeq} but holds entries only up to ${last}`, batch);
    if (record.lastSeq < last) return this.fail(`batch ${batch} says it ends at entry ${record.lastSeq} but holds entries up to ${last}`, batch);
    if (last >= this.firstSeq && record.lastHash !== this.prev) return this.fail(`batch ${batch} records a head hash that is not entry ${last}'s hash`, batch, last);
    return true;
  }

  /** The verdict once every batch was fed. */
  finish(): VerifyReport {
    const lastSeq = this.expectedSeq - 1;
    const witness = this.opts.witness;
    if (!this.failure && witness) {
      if (lastSeq < witness.seq)
        this.fail(`entries ${lastSeq + 1}–${witness.seq} are missing: the log ends at entry ${lastSeq}, but your witness file holds a checkpoint over entry ${witness.seq} (the log was truncated)`, undefined, lastSeq + 1);
      else if (witness.seq < this.firstSeq) this.notes.push(`the witnessed entry ${witness.seq} was pruned by retention; the log was checked from the anchor at entry ${this.firstSeq - 1}`);
    }
    return {
      ok: !this.failure,
      ...(this.failure ? { failure: this.failure } : {}),
      entries: this.entries,
      firstSeq: this.firstSeq,
      lastSeq,
      batches: this.batches,
      checkpoints: this.checkpoints,
      ...(this.lastCheckpoint ? { lastCheckpoint: this.lastCheckpoint } : {}),
      unsignedTail: lastSeq - Math.max(this.lastCheckpoint?.seq ?? 0, this.firstSeq - 1),
      keysUsed: [...this.keysUsed],
      ...(this.opts.anchor ? { anchor: this.opts.anchor } : {}),
      notes: this.notes,
    };
  }

  private checkAnchor(anchor: Anchor): void {
    if (!this.opts.checkSignatures) return;
    const cp = anchor.checkpoint;
    if (!cp) return void this.fail(`the anchor (entries up to ${anchor.seq} were pruned) carries no signed checkpoint`, undefined, anchor.seq);
    if (cp.seq !== anchor.seq || cp.hash !== anchor.hash) return void this.fail(`the anchor's checkpoint does not match the anchor (entry ${anchor.seq})`, undefined, anchor.seq);
    const problem = checkpointProblem(cp, this.opts.trustedKeys);
    if (problem) return void this.fail(`the anchor's checkpoint over entry ${anchor.seq}: ${problem}`, undefined, anchor.seq);
    this.keysUsed.add(cp.keyId);
  }

  private checkCheckpoint(cp: Checkpoint, batch: number): boolean {
    if (cp.hash !== this.prev) return this.fail(`the checkpoint over entry ${cp.seq} does not match it: the chain up to entry ${cp.seq} was rewritten`, batch, cp.seq);
    if (this.opts.checkSignatures) {
      const problem = checkpointProblem(cp, this.opts.trustedKeys);
      if (problem) return this.fail(`the checkpoint over entry ${cp.seq}: ${problem}`, batch, cp.seq);
      this.keysUsed.add(cp.keyId);
    }
    this.checkpoints++;
    this.lastCheckpoint = cp;
    return true;
  }

  private fail(reason: string, batch: number | undefined, seq = this.expectedSeq): false {
    this.failure ??= { seq, ...(batch !== undefined ? { batch } : {}), reason };
    return false;
  }
}

/**
 * Whether the entry's hash is right. Fast path: writers store entries in canonical member order with
 * `hash` last, so JSON.stringify of the parsed entry minus that suffix is the canonical text itself (equal
 * serialisations mean equal content, so accepting on this match is sound). Otherwise: canonicalise.
 */
function hashMatches(e: Record<string, unknown>, hash: string): boolean {
  const text = JSON.stringify(e);
  const suffix = `,"hash":${JSON.stringify(hash)}}`;
  if (text.endsWith(suffix) && sha256Hex(`${text.slice(0, -suffix.length)}}`) === hash) return true;
  return entryHash(e as unknown as AuditEntry) === hash;
}

function isCheckpointShape(value: unknown): value is Checkpoint {
  const c = value as Partial<Checkpoint> | null;
  return !!c && typeof c === "object" && typeof c.seq === "number" && typeof c.hash === "string" && typeof c.time === "string" && typeof c.keyId === "string" && typeof c.signature === "string";
}

/** Why an entry's members have the wrong types, or undefined. */
function shapeProblem(e: Record<string, unknown>): string | undefined {
  if (typeof e.time !== "string" || typeof e.type !== "string" || typeof e.actor !== "string" || typeof e.sourceIp !== "string") return "time, type, actor and sourceIp must be strings";
  if (!isAuditOutcome(e.outcome)) return `outcome ${JSON.stringify(e.outcome)} is not success, failure or denied`;
  if (!e.details || typeof e.details !== "object" || Array.isArray(e.details)) return "details must be an object";
  if (e.resource !== null && (typeof e.resource !== "object" || Array.isArray(e.resource))) return "resource must be an object or null";
  return undefined;
}
