// A SIEM stand-in on 127.0.0.1 that fails on a deterministic schedule, and records what it accepted.

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuditEntry } from "../../client/audit/event.js";

/** What the receiver does with its n-th request (1-based). */
export type Answer = "ok" | "503" | "reset";

export interface ReceivedRequest {
  n: number;
  answer: Answer;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
}

export interface SiemReceiver {
  url: string;
  /** Seqs of every entry in an accepted request, in arrival order. */
  accepted: number[];
  entries: AuditEntry[];
  requests: ReceivedRequest[];
  stop(): Promise<void>;
}

export async function startSiemReceiver(schedule: (n: number) => Answer): Promise<SiemReceiver> {
  const state: Omit<SiemReceiver, "url" | "stop"> = { accepted: [], entries: [], requests: [] };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const n = state.requests.length + 1;
      const answer = schedule(n);
      state.requests.push({ n, answer, idempotencyKey: header(req, "idempotency-key"), authorization: header(req, "authorization"), contentType: header(req, "content-type") });
      if (answer === "reset") return void req.socket.destroy();
      if (answer === "503") return void res.writeHead(503).end("ingest is down");
      const entries = header(req, "content-type") === "application/x-ndjson" ? body.trim().split("\n").map((l) => JSON.parse(l) as AuditEntry) : (JSON.parse(body) as AuditEntry[]);
      state.entries.push(...entries);
      state.accepted.push(...entries.map((e) => e.seq));
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    ...state,
    get accepted() {
      return state.accepted;
    },
    get entries() {
      return state.entries;
    },
    get requests() {
      return state.requests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
};

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
