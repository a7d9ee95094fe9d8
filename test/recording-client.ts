// A REST client for a running `claw server` that keeps every answer whole (status, headers, body), so a
// test can scan all it was told afterwards; and streamed GETs (watches) collected as they arrive.

import { Agent, request } from "undici";
import { authorizationHeaders } from "../api/client/credential.js";
import { resolveClientConfig } from "../cmd/cli/config/client-config.js";

export interface Recorded {
  source: string;
  text: string;
}

export interface Answer {
  status: number;
  text: string;
}

export interface CallOptions {
  json?: unknown;
  body?: string;
  contentType?: string;
  accept?: string;
  /** Kept apart in `answers`: the release and reveal answers, the only ones that may hold a value. */
  answer?: boolean;
}

export interface Stream {
  status: number;
  text: () => string;
  /** Resolves once the text so far contains `needle`. */
  until: (needle: string) => Promise<void>;
  close: () => void;
}

export class RecordingClient {
  /** Every answer but those asked for as `answer`. */
  readonly outputs: Recorded[] = [];
  readonly answers: Recorded[] = [];

  private constructor(
    private readonly server: string,
    private readonly agent: Agent,
    private readonly headers: Record<string, string>,
  ) {}

  /** A client of the server with the admin.conf's CA and credential. */
  static async forAdminConfig(server: string, adminConfig: string): Promise<RecordingClient> {
    const config = await resolveClientConfig({ flags: { config: adminConfig }, env: {}, homeDir: "/nonexistent" });
    const agent = new Agent({ connect: config.tls.ca ? { ca: config.tls.ca } : {} });
    return new RecordingClient(server, agent, authorizationHeaders(config.credential));
  }

  async call(method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
    const body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.body;
    const r = await request(this.server + path, {
      dispatcher: this.agent,
      method: method as "GET",
      headers: { ...this.headers, accept: opts.accept ?? "application/json", ...(body !== undefined ? { "content-type": opts.contentType ?? "application/json" } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await r.body.text();
    (opts.answer ? this.answers : this.outputs).push({ source: `${method} ${path} → ${r.statusCode}`, text: `${JSON.stringify(r.headers)}\n${text}` });
    return { status: r.statusCode, text };
  }

  async stream(path: string): Promise<Stream> {
    const abort = new AbortController();
    const r = await request(this.server + path, { dispatcher: this.agent, headers: this.headers, signal: abort.signal, bodyTimeout: 0 });
    let text = "";
    let waiters: { needle: string; resolve: () => void }[] = [];
    r.body.setEncoding("utf8");
    r.body.on("data", (chunk: string) => {
      text += chunk;
      waiters = waiters.filter((w) => (text.includes(w.needle) ? (w.resolve(), false) : true));
    });
    r.body.on("error", () => undefined); // the abort that ends it
    return {
      status: r.statusCode,
      text: () => text,
      until: (needle) => (text.includes(needle) ? Promise.resolve() : new Promise((resolve) => waiters.push({ needle, resolve }))),
      close: () => abort.abort(),
    };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
