// The audit API (api/audit/audit-api.ts) from the CLI: JSON queries through the session's RestClient,
// and the raw log as a stream of lines (raw-stream.ts: the session's server, credential and TLS), which the
// verifier reads batch by batch without holding the log in memory.

import { auditPaths, type AuditEventList, type AuditLogHeader, type AuditWatchEvent, type PublicKeyList } from "../../../api/types/audit-api.js";
import type { RawBatch } from "../../../api/client/audit/batch.js";
import type { BatchSource } from "../../../api/client/audit/verify-log.js";
import type { QueryValue } from "../../../api/client/resource-path.js";
import type { CliSession } from "../cli-session.js";
import { openStream } from "../raw-stream.js";

const LINES_PER_PAGE = 16;

export class AuditClient {
  constructor(private readonly session: CliSession) {}

  async events(query: Record<string, QueryValue>): Promise<AuditEventList> {
    const client = await this.session.client();
    return client.requestJson<AuditEventList>({ method: "GET", path: auditPaths.events, query, signal: this.session.deps.signal });
  }

  async publicKeys(): Promise<PublicKeyList> {
    const client = await this.session.client();
    return client.requestJson<PublicKeyList>({ method: "GET", path: auditPaths.publicKeys, signal: this.session.deps.signal });
  }

  /** The stored log as the server streams it: the header (anchor, head) and every batch verbatim. */
  async batchSource(): Promise<{ source: BatchSource; header: AuditLogHeader; close(): Promise<void> }> {
    const { lines, close, server } = await this.openLines(auditPaths.batches, {}, "application/x-ndjson");
    const first = await lines.next();
    if (first.done) throw new Error(`${server} sent an empty audit log stream`);
    const header = JSON.parse(first.value) as AuditLogHeader;
    const source: BatchSource = {
      anchor: async () => (header.anchor ? JSON.stringify(header.anchor) : undefined),
      async *pages() {
        let page: RawBatch[] = [];
        for await (const line of { [Symbol.asyncIterator]: () => lines }) {
          page.push({ batch: batchNumberOfLine(line), raw: line });
          if (page.length >= LINES_PER_PAGE) {
            yield page;
            page = [];
          }
        }
        if (page.length > 0) yield page;
      },
    };
    return { source, header, close };
  }

  /**
   * The live audit stream (events?watch=true): each event as the server sends it, until the stream ends —
   * the server's timeout, a restart, or the session's signal. Resume with afterSeq = the last seq seen.
   */
  async *watch(query: Record<string, QueryValue>): AsyncGenerator<AuditWatchEvent, void, undefined> {
    const { lines, close } = await this.openLines(auditPaths.events, { ...query, watch: "true" }, "application/json");
    try {
      for await (const line of { [Symbol.asyncIterator]: () => lines }) yield JSON.parse(line) as AuditWatchEvent;
    } catch (err) {
      // The session's signal (Ctrl-C) or a dropped connection ends the stream the same way.
      if (!(err instanceof Error) || !/abort|terminated|socket|closed/i.test(`${err.name} ${err.message}`)) throw err;
    } finally {
      await close();
    }
  }

  /** A GET whose answer is read line by line, over its own connection with the session's server, credential and TLS. */
  private async openLines(path: string, query: Record<string, QueryValue>, accept: string): Promise<{ lines: AsyncGenerator<string, void, undefined>; close(): Promise<void>; server: string }> {
    const opened = await openStream(this.session, { path, query, accept });
    return { lines: splitLines(opened.body), close: opened.close, server: opened.server };
  }
}

/** The batch number a stored batch names (`{"v":1,"batch":N,…`); -1 when the line does not say (the verifier reports it). */
function batchNumberOfLine(line: string): number {
  const match = /^\{"v":1,"batch":(\d+),/.exec(line);
  if (match) return Number(match[1]);
  try {
    const batch = (JSON.parse(line) as { batch?: unknown }).batch;
    return typeof batch === "number" ? batch : -1;
  } catch {
    return -1;
  }
}

async function* splitLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body) {
    // Lines are whole batches (hundreds of KB): search only the new text for the newline.
    let from = rest.length;
    rest += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = rest.indexOf("\n", from)) >= 0) {
      const line = rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      from = 0;
      if (line) yield line;
    }
  }
  rest += decoder.decode();
  if (rest.trim()) yield rest;
}
