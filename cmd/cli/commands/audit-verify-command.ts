// `claw audit verify [--public-key FILE]… [--witness FILE] [--data-dir DIR | --etcd-endpoints URLS] [-o json]`
// Walks the whole chain and names the first bad entry. By default it reads the log through the API
// (needs audit:read); --data-dir (a stopped server's embedded store) or --etcd-endpoints read the store
// directly, for forensics when the server cannot be trusted or is down. Verification always happens here,
// against the public keys given: the server is never asked whether its own log is intact.

import type { KeyObject } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { VerifyReport, Witness } from "../../../api/client/audit/chain-verifier.js";
import { parsePublicKeys } from "../../../api/client/audit/checkpoint.js";
import { verifyLog, type BatchSource } from "../../../api/client/audit/verify-log.js";
import { runAction } from "../cli-action.js";
import type { ForensicAuditSource } from "../forensic-audit.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { ExitCode } from "../exit-codes.js";
import { AuditClient } from "./audit-client.js";
import { ProgressBar } from "./audit-progress.js";

interface VerifyFlags {
  publicKey?: string[];
  witness?: string;
  dataDir?: string;
  etcdEndpoints?: string;
  etcdPrefix?: string;
  output?: string;
}

const PARALLEL_FROM = 20_000;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addAuditVerifyCommand(audit: Command, session: CliSession): void {
  audit
    .command("verify")
    .description("check the whole audit log: every entry in place and unaltered, every checkpoint signed by a trusted key")
    .option("--public-key <file>", "PEM public key(s) to trust (the servers' audit-signing.pub; repeatable); default: the keys the server publishes", collect)
    .option("--witness <file>", "a file remembering the last checkpoint verified: the log must still reach it (catches truncation); updated on success")
    .option("--data-dir <dir>", "read a stopped server's embedded store in DIR instead of asking the API")
    .option("--etcd-endpoints <urls>", "read the store in etcd directly instead of asking the API")
    .option("--etcd-prefix <prefix>", "the key prefix of the claw store in etcd (default none)")
    .option("-o, --output <format>", "text (default) or json")
    .action(
      runAction(session, async (flags: VerifyFlags) => {
        const output = flags.output ?? "text";
        if (output !== "text" && output !== "json") throw new UsageError(`unknown output format "${output}"; use text or json`);
        if (flags.dataDir && flags.etcdEndpoints) throw new UsageError("give --data-dir or --etcd-endpoints, not both");
        const pinned = flags.publicKey?.length ? readKeys(flags.publicKey) : undefined;
        const witness = flags.witness ? readWitness(flags.witness) : undefined;
        const progress = ProgressBar.enabledFor(session.deps.stderr) ? new ProgressBar(session.deps.stderr, session.clock, "verifying audit log") : undefined;

        const opened = await openSource(session, flags);
        let report: VerifyReport;
        let keys: ReadonlyMap<string, KeyObject>;
        try {
          keys = pinned ?? (await opened.publishedKeys());
          if (!pinned && keys.size > 0 && output === "text") session.err("warning: checking signatures against the keys the log's own store publishes; pin them with --public-key FILE to detect a forger who replaced them");
          report = await verifyLog(opened.source, {
            trustedKeys: keys,
            checkSignatures: keys.size > 0,
            ...(witness ? { witness } : {}),
            // Large logs are verified on worker threads (the compiled CLI has them; the sources run in order).
            ...(opened.headSeq > PARALLEL_FROM ? { parallel: {} } : {}),
            ...(progress ? { onProgress: (seq: number) => progress.update(seq, opened.headSeq) } : {}),
          });
          progress?.finish(report.lastSeq, opened.headSeq || report.lastSeq);
        } finally {
          await opened.close();
        }
        if (report.ok && flags.witness && report.lastCheckpoint) writeFileSync(flags.witness, `${JSON.stringify({ seq: report.lastCheckpoint.seq, hash: report.lastCheckpoint.hash, time: report.lastCheckpoint.time, keyId: report.lastCheckpoint.keyId })}\n`);
        if (output === "json") session.out(`${JSON.stringify(report, null, 2)}\n`);
        else session.out(describeReport(report, keys.size > 0));
        if (!report.ok) throw new ReportedFailure(ExitCode.Failure);
      }),
    );
}

export function describeReport(report: VerifyReport, signed: boolean): string {
  if (!report.ok) {
    const f = report.failure!;
    return `TAMPERED: the first bad entry is ${f.seq}${f.batch !== undefined ? ` (batch ${f.batch})` : ""}: ${f.reason}\nEntries ${report.firstSeq}–${f.seq - 1} verified before it.\n`;
  }
  const lines = [`OK: entries ${report.firstSeq}–${report.lastSeq} verified (${report.entries} entries in ${report.batches} batches): every entry in place, every hash and link holds.`];
  if (report.anchor) lines.push(`Entries up to ${report.anchor.seq} were pruned by retention on ${report.anchor.prunedAt}; the chain was checked from the signed anchor.`);
  if (signed && report.lastCheckpoint) {
    lines.push(`${report.checkpoints} signed checkpoints verified (keys ${report.keysUsed.join(", ")}); the last covers entry ${report.lastCheckpoint.seq} (signed ${report.lastCheckpoint.time}).`);
  } else if (!signed) lines.push("The log carries no signatures ([audit] sign_logs = false): a rewrite that recomputed every hash would not be detected.");
  if (report.unsignedTail > 0) lines.push(`${report.unsignedTail} entries after the last checkpoint are linked but not yet signed (a checkpoint follows within seconds).`);
  lines.push(...report.notes);
  return `${lines.join("\n")}\n`;
}

interface OpenedSource {
  source: BatchSource;
  headSeq: number;
  publishedKeys(): Promise<ReadonlyMap<string, KeyObject>>;
  close(): Promise<void>;
}

async function openSource(session: CliSession, flags: VerifyFlags): Promise<OpenedSource> {
  if (flags.dataDir || flags.etcdEndpoints) {
    const open = session.deps.openForensicAuditSource;
    if (!open) throw new UsageError("this build of claw cannot read a store directly; verify through the API (omit --data-dir and --etcd-endpoints)");
    let opened: ForensicAuditSource;
    try {
      opened = await open({ ...(flags.dataDir ? { dataDir: flags.dataDir } : {}), ...(flags.etcdEndpoints ? { etcdEndpoints: flags.etcdEndpoints.split(",").map((e) => e.trim()) } : {}), ...(flags.etcdPrefix ? { etcdPrefix: flags.etcdPrefix } : {}) });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return { source: opened.source, headSeq: opened.headSeq, publishedKeys: async () => parsePublished(await opened.publishedKeyPems()), close: opened.close };
  }
  const client = new AuditClient(session);
  const keys = await client.publicKeys();
  const stream = await client.batchSource();
  return { source: stream.source, headSeq: stream.header.headSeq, publishedKeys: async () => parsePublished(keys.items.map((k) => k.publicKeyPem)), close: stream.close };
}

const parsePublished = (pems: string[]): ReadonlyMap<string, KeyObject> => (pems.length === 0 ? new Map() : parsePublicKeys(pems.join("\n"), "the published audit keys"));

function readKeys(files: string[]): ReadonlyMap<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(`--public-key ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
    }
    try {
      for (const [id, key] of parsePublicKeys(text, file)) keys.set(id, key);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return keys;
}

function readWitness(file: string): Witness | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined; // the first run creates it
    throw new UsageError(`--witness ${file}: ${(err as Error).message}`);
  }
  let w: Partial<Witness> = {};
  try {
    w = JSON.parse(text) as Partial<Witness>;
  } catch {
    w = {};
  }
  if (typeof w.seq !== "number" || typeof w.hash !== "string") throw new UsageError(`--witness ${file} is not a witness file (it holds {"seq", "hash"} of a checkpoint); remove it to start a new one`);
  return { seq: w.seq, hash: w.hash };
}
