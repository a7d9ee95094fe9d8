// What a connection is told when Node cannot parse its request (headers over the limit, a malformed request
// line, bad chunked encoding): a Status saying what was wrong, and then the connection closes. A slow client
// is cut off at once; any other is given a moment to finish sending, because closing a socket that still
// has unread request bytes resets the connection and the client never reads the answer.

import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Clock } from "../machinery/clock.js";
import type { Status, StatusReason } from "../machinery/errors.js";

/** Node's limit on the request line and headers together (http.maxHeaderSize, 16 KiB unless changed). */
export const MAX_HEADER_BYTES = 16 * 1024;

/** How long a refused client may go on sending the rest of its request before the connection is closed. */
export const CLIENT_ERROR_LINGER_MS = 2_000;

export interface ClientErrorAnswer {
  code: number;
  /** The status line's text. */
  text: string;
  /** Kubernetes has no reason for 431: "" (StatusReasonUnknown), as the apiserver sends. */
  reason: StatusReason | "";
  message: string;
}

/** The answer for a parse error, or undefined for a timeout (closed without reading further). */
export function clientErrorAnswer(err: NodeJS.ErrnoException): ClientErrorAnswer | undefined {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT" || err.code === "ERR_HTTP_HEADERS_TIMEOUT") return undefined;
  if (err.code === "HPE_HEADER_OVERFLOW")
    return {
      code: 431,
      text: "Request Header Fields Too Large",
      reason: "",
      message: `the request line and headers are larger than ${MAX_HEADER_BYTES} bytes, the server's limit; shorten the query string (long selectors, repeated parameters) or the headers`,
    };
  return { code: 400, text: "Bad Request", reason: "BadRequest", message: `the request is not valid HTTP/1.1 (${err.code ?? "parse error"}); it was not read` };
}

const TIMEOUT_ANSWER = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";

function statusResponse(answer: ClientErrorAnswer): string {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: answer.message, reason: answer.reason, code: answer.code };
  const body = JSON.stringify(status);
  return `HTTP/1.1 ${answer.code} ${answer.text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * A `clientError` listener: answers once per connection (Node reports the same parse error again for every
 * further chunk the client sends) and calls `onFirst` (the guard counting a violation) the first time only.
 */
export interface ClientErrorOptions {
  /** Sets the linger's deadline: a fixed one, since a client trickling bytes would keep an idle timeout from firing. */
  clock: Pick<Clock, "setTimer">;
  onFirst?: (err: NodeJS.ErrnoException, socket: Socket) => void;
  lingerMs?: number;
}

export function clientErrorHandler(opts: ClientErrorOptions): (err: NodeJS.ErrnoException, socket: Socket) => void {
  const answered = new WeakSet<Socket>();
  return (err, socket) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    opts.onFirst?.(err, socket);
    const answer = clientErrorAnswer(err);
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!answer) {
      if (socket.writable && !inFlight?.headersSent) socket.write(TIMEOUT_ANSWER);
      socket.destroy();
      return;
    }
    const reply = () => {
      if (!socket.writable) return void socket.destroy();
      socket.end(statusResponse(answer));
      // Whatever the client still sends is read and dropped until it closes, or the linger ends.
      const linger = opts.clock.setTimer(opts.lingerMs ?? CLIENT_ERROR_LINGER_MS, () => socket.destroy());
      socket.once("close", () => linger.cancel());
    };
    // The request before this one on a kept-alive connection may still be answering (its last bytes already out,
    // its end not yet called): this answer follows it, as a pipelined request's would. Cutting in, or closing,
    // reset the connection before the client read either (seen after store snapshots, 7 times in 100).
    if (inFlight && !inFlight.writableFinished) {
      inFlight.once("finish", reply);
      inFlight.once("close", () => inFlight.writableFinished || socket.destroy());
      return;
    }
    reply();
  };
}
