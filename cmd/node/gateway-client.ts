// The agent's HTTPS client to the gateway (undici): with its node certificate for its own endpoints, with a
// bootstrap token for joining. Errors are the server's Status message, never a body or a credential.

import { Agent, request, type Dispatcher } from "undici";
import type { CsrRequest, Heartbeat, HeartbeatAnswer, JoinRequest, NodeCredentials, SessionHello, SessionMessage } from "../../api/types/nodes-api.js";
import { nodesPaths } from "../../api/types/nodes-api.js";

export interface ClientTls {
  /** The CA that signed the gateway's certificate, PEM. */
  ca: string;
  /** The node's certificate (and chain) and key, PEM; absent while joining. */
  cert?: string;
  key?: string;
}

export class GatewayError extends Error {
  override name = "GatewayError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A session's messages, and how to end it. */
export interface SessionStream {
  messages: AsyncIterable<SessionMessage>;
  close(): void;
}

const MAX_LINE = 4 * 1024 * 1024;

export class GatewayClient {
  private readonly dispatcher: Agent;

  constructor(
    private readonly gateway: string,
    tls: ClientTls,
    private readonly userAgent: string,
  ) {
    this.dispatcher = new Agent({ connect: { ca: tls.ca, ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}), minVersion: "TLSv1.2" }, headersTimeout: 30_000, bodyTimeout: 0 });
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }

  join(token: string, body: JoinRequest): Promise<NodeCredentials> {
    return this.json<NodeCredentials>(nodesPaths.join, body, { Authorization: `Bearer ${token}` });
  }

  renew(node: string, body: CsrRequest): Promise<NodeCredentials> {
    return this.json<NodeCredentials>(nodesPaths.csr(node), body);
  }

  heartbeat(node: string, body: Heartbeat): Promise<HeartbeatAnswer> {
    return this.json<HeartbeatAnswer>(nodesPaths.heartbeat(node), body);
  }

  /** Opens the session; the stream ends when the server ends it or the connection drops. */
  async session(node: string, hello: SessionHello): Promise<SessionStream> {
    const abort = new AbortController();
    const answer = await this.call(nodesPaths.session(node), hello, {}, abort.signal);
    if (answer.statusCode !== 200) throw await failure(answer);
    return { messages: lines(answer.body), close: () => abort.abort() };
  }

  private async json<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    const answer = await this.call(path, body, headers);
    if (answer.statusCode < 200 || answer.statusCode >= 300) throw await failure(answer);
    return (await answer.body.json()) as T;
  }

  private call(path: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    return request(`${this.gateway}${path}`, {
      method: "POST",
      dispatcher: this.dispatcher,
      headers: { "Content-Type": "application/json", "User-Agent": this.userAgent, ...headers },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
  }
}

async function failure(answer: Dispatcher.ResponseData): Promise<GatewayError> {
  const text = await answer.body.text().catch(() => "");
  let message = `the gateway answered ${answer.statusCode}`;
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === "string") message = status.message;
  } catch {
    // Not a Status: keep the code alone.
  }
  return new GatewayError(answer.statusCode, message);
}

/** JSON lines of a stream; a line beyond MAX_LINE ends it (a gateway never sends one). */
async function* lines(body: AsyncIterable<Buffer | string>): AsyncGenerator<SessionMessage> {
  let pending = "";
  try {
    for await (const chunk of body) {
      pending += typeof chunk === "string" ? chunk : chunk.toString("utf8");
      if (pending.length > MAX_LINE) throw new GatewayError(0, "the session sent a line longer than 4 MiB");
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== "") yield JSON.parse(line) as SessionMessage;
      }
    }
  } catch (err) {
    // An abort we asked for is the end of the stream, not a failure.
    if ((err as Error).name === "AbortError") return;
    throw err;
  }
}
