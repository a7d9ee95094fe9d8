// A GET whose body the caller reads as a stream (an NDJSON log, a watch, a file), over a connection of its own
// with the session's server, credential and TLS — the RestClient reads whole JSON answers only. A refusal is
// the server's Status as an ApiError; a connection failure says which server could not be reached.

import { Agent, request, type Dispatcher } from "undici";
import { toConnectionError } from "../../api/client/connection-error.js";
import { authorizationHeaders } from "../../api/client/credential.js";
import { queryString, type QueryValue } from "../../api/client/resource-path.js";
import { errorFromResponse } from "../../api/client/response-error.js";
import type { CliSession } from "./cli-session.js";

export interface OpenedStream {
  body: AsyncIterable<Uint8Array>;
  headers: Record<string, string | string[] | undefined>;
  server: string;
  /** Ends the connection (whether or not the body was read to its end). */
  close(): Promise<void>;
}

export async function openStream(session: CliSession, req: { path: string; query?: Record<string, QueryValue>; accept: string }): Promise<OpenedStream> {
  const config = await session.config();
  const tls = config.tls;
  const dispatcher: Dispatcher = new Agent({
    connect: { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}), ...(tls.serverName ? { servername: tls.serverName } : {}), rejectUnauthorized: !tls.insecureSkipVerify },
  });
  const server = config.server.replace(/\/+$/, "");
  let response: Dispatcher.ResponseData;
  try {
    response = await request(`${server}${req.path}${queryString(req.query ?? {})}`, {
      dispatcher,
      method: "GET",
      headers: { accept: req.accept, "user-agent": `claw/${session.deps.version ?? "cli"}`, ...authorizationHeaders(config.credential) },
      ...(session.deps.signal ? { signal: session.deps.signal } : {}),
      bodyTimeout: 0,
    });
  } catch (err) {
    await dispatcher.close();
    throw toConnectionError(server, err) ?? err;
  }
  if (response.statusCode >= 400) {
    const err = await errorFromResponse(response);
    await dispatcher.close();
    throw err;
  }
  return { body: response.body, headers: response.headers, server, close: () => dispatcher.destroy() };
}
