// The gateway guard's two places in the server: the pipeline's first stage (Guard) and, below HTTP, the
// connection gate. The guard module (api/guard) fills both; the server calls them.

import type { Socket } from "node:net";
import type { RequestContext } from "./request-context.js";

/** The guard's slot in the pipeline: throws ApiError (429, 403) to refuse a request before authentication. */
export type Guard = (ctx: RequestContext) => Promise<void> | void;

/**
 * What the guard does below HTTP: admits each TCP connection at accept (before a TLS handshake is paid),
 * hears protocol errors (malformed requests, slow clients), and sets how long a client may take.
 */
export interface ConnectionGate {
  /** False closes the connection at once. */
  admit(socket: Socket): boolean;
  /** A request the HTTP parser refused or a client too slow: after this the server answers 400/408 and closes. */
  clientError?(err: NodeJS.ErrnoException, socket: Socket): void;
  /** The TLS handshake, the headers and the whole request must each arrive within this. */
  slowClientTimeoutMs?: number;
}
