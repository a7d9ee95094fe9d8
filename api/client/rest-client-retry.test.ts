// A 503 with Retry-After means the server did not take the request (its store was out of reach, as during an
// etcd election, or it was starting): the client sends the same request again after that long, a bounded
// number of times, as client-go does. Everything else reaches the caller at once.

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isApiError } from "../machinery/errors.js";
import { MAX_RETRY_AFTER_SECONDS, RestClient } from "./rest-client.js";

interface Seen {
  method: string;
  body: string;
}

/** A server that answers each request with the next scripted answer (the last one repeats). */
async function scripted(answers: { status: number; retryAfter?: string }[]): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", body });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      const ok = answer.status < 400;
      const payload = ok
        ? body || JSON.stringify({ kind: "Role", metadata: { name: "a" } })
        : JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code: answer.status, reason: answer.status === 503 ? "ServiceUnavailable" : "TooManyRequests", message: "try later" });
      res.writeHead(answer.status, { "content-type": "application/json", ...(answer.retryAfter !== undefined ? { "retry-after": answer.retryAfter } : {}) });
      res.end(payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const servers: Server[] = [];
const clients: RestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function clientOf(url: string, opts: { unavailableRetries?: number; signal?: AbortSignal } = {}) {
  const waits: number[] = [];
  const client = new RestClient({
    server: url,
    ...(opts.unavailableRetries !== undefined ? { unavailableRetries: opts.unavailableRetries } : {}),
    sleep: async (ms) => void waits.push(ms),
  });
  clients.push(client);
  return { client, waits };
}

const role = { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "a" }, spec: { description: "d", permissions: ["nodes:read"] } };

describe("RestClient retries a 503 that carries Retry-After", () => {
  it("sends the same create again after the seconds the server names, and returns the answer that succeeded", async () => {
    const { url, seen } = await scripted([{ status: 503, retryAfter: "1" }, { status: 503, retryAfter: "2" }, { status: 201 }]);
    const { client, waits } = clientOf(url);
    const created = await client.create("roles", role);
    expect(created.metadata.name).toBe("a");
    expect(seen.map((s) => s.method)).toEqual(["POST", "POST", "POST"]);
    expect(new Set(seen.map((s) => s.body)).size).toBe(1);
    expect(waits).toEqual([1000, 2000]);
  });

  it("gives up after three retries by default and shows the 503 with its Retry-After", async () => {
    const { url, seen } = await scripted([{ status: 503, retryAfter: "1" }]);
    const { client } = clientOf(url);
    const err = await client.get("roles", "a").catch((e: unknown) => e);
    expect(isApiError(err) && err.code).toBe(503);
    expect(seen).toHaveLength(4);
  });

  it("waits at most MAX_RETRY_AFTER_SECONDS however long the server asks", async () => {
    const { url } = await scripted([{ status: 503, retryAfter: "3600" }, { status: 200 }]);
    const { client, waits } = clientOf(url);
    await client.get("roles", "a");
    expect(waits).toEqual([MAX_RETRY_AFTER_SECONDS * 1000]);
  });

  it.each([
    ["a 503 without Retry-After (a condition that does not pass by itself)", { status: 503 }],
    ["a 503 whose Retry-After is not whole seconds", { status: 503, retryAfter: "soon" }],
    ["a 429 (the client is over its rate: the caller decides)", { status: 429, retryAfter: "1" }],
    ["a 500", { status: 500, retryAfter: "1" }],
  ])("does not retry %s", async (_name, answer) => {
    const { url, seen } = await scripted([answer, { status: 200 }]);
    const { client, waits } = clientOf(url);
    const err = await client.get("roles", "a").catch((e: unknown) => e);
    expect(isApiError(err) && err.code).toBe(answer.status);
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("with unavailableRetries 0 shows the first 503", async () => {
    const { url, seen } = await scripted([{ status: 503, retryAfter: "1" }, { status: 200 }]);
    const { client } = clientOf(url, { unavailableRetries: 0 });
    await expect(client.get("roles", "a")).rejects.toSatisfy((e: unknown) => isApiError(e) && e.code === 503);
    expect(seen).toHaveLength(1);
  });

  it("stops waiting when the caller aborts, without sending again", async () => {
    const { url, seen } = await scripted([{ status: 503, retryAfter: "1" }, { status: 200 }]);
    const abort = new AbortController();
    const client = new RestClient({ server: url, sleep: async () => abort.abort() });
    clients.push(client);
    await expect(client.get("roles", "a", { signal: abort.signal })).rejects.toBeDefined();
    expect(seen).toHaveLength(1);
  });
});
