import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isClientClosedRequest, type ApiError } from "../machinery/errors.js";
import { readBody } from "./http-io.js";

/** A server whose requests' bodies readBody reads; each outcome is handed to the test waiting for it. */
let server: Server;
let port: number;
let next: (outcome: { text?: string; error?: unknown }) => void = () => {};
beforeAll(async () => {
  server = createServer((req, res) => {
    readBody(req, 64).then(
      (text) => (next({ text }), res.end()),
      (error: unknown) => (next({ error }), res.destroy()),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `raw` over a fresh connection, then closes it (mid-body when `raw` promises more); resolves with readBody's outcome. */
function send(raw: string, close: "end" | "destroy"): Promise<{ text?: string; error?: unknown }> {
  const outcome = new Promise<{ text?: string; error?: unknown }>((resolve) => (next = resolve));
  const socket = connect(port, "127.0.0.1", () => {
    socket.write(raw, () => (close === "destroy" ? socket.destroy() : socket.end()));
  });
  socket.on("error", () => {});
  return outcome;
}

const post = (declared: number, body: string) => `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\n${body}`;

describe("reading a request body", () => {
  it("returns the body a client sent whole", async () => {
    expect(await send(post(5, "hello"), "end")).toEqual({ text: "hello" });
  });

  it("refuses a body past the limit with 413", async () => {
    const { error } = await send(post(100, "x".repeat(100)), "end");
    expect((error as ApiError).code).toBe(413);
  });

  it.each([
    ["resets the connection mid-body", "destroy"],
    ["half-closes the connection mid-body", "end"],
  ] as const)("answers a client that %s with 499 ClientClosedRequest, not a server failure", async (_name, close) => {
    const { error } = await send(post(50, "only part of it"), close);
    expect({ code: (error as ApiError).code, reason: (error as ApiError).reason }).toEqual({ code: 499, reason: "ClientClosedRequest" });
    expect(isClientClosedRequest(error)).toBe(true);
  });
});
