// The guard below HTTP: slow-loris connections trickling their headers are closed at slow_loris_timeout_secs
// while normal requests keep being served, and connection limits hold at exactly their configured numbers.

import { connect, type Socket } from "node:net";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGuardConfig } from "../api/guard/guard-config-parser.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

function open(url: string, localAddress: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress }, () => resolve(socket));
    socket.once("error", reject);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

/** Whether a complete request on this socket gets an answer (the connection is alive and admitted). */
function answers(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once("data", () => resolve(true));
    socket.once("close", () => resolve(false));
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  });
}

function healthz(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL("/healthz", url), { agent: new Agent({ localAddress }) }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

describe("slow clients", () => {
  let env: EnvTest;
  beforeAll(async () => {
    const config = parseGuardConfig({ allow: [], connection: { slow_loris_timeout_secs: 2, max_per_ip: 1000, max_total: 2000 }, rate_limit: { requests_per_second: 10000, burst_size: 10000 }, blocklist: { enabled: false }, reputation: { enabled: false } });
    env = await startEnvTest({ guard: { config } });
  });
  afterAll(async () => env?.stop());

  it("closes 500 connections trickling headers at the timeout, while normal requests are served", async () => {
    const sockets = await Promise.all(Array.from({ length: 500 }, () => open(env.url, "127.0.0.2")));
    const started = Date.now();
    for (const s of sockets) s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    // A header line every 300 ms keeps each connection busy but never finishes the request.
    const trickle = setInterval(() => sockets.forEach((s, i) => !s.destroyed && s.write(`X-Slow-${i}: a\r\n`)), 300);
    const statuses: number[] = [];
    const allClosed = Promise.all(sockets.map(closed));
    let done = false;
    void allClosed.then(() => (done = true));
    while (!done) statuses.push(await healthz(env.url, "127.0.0.3"));
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    // Node checks the deadlines every 500 ms here; a loaded CI machine may add a little more.
    expect(elapsed).toBeLessThan(5_000);
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.every((s) => s === 200)).toBe(true);
  }, 20_000);
});

describe("connection limits", () => {
  let env: EnvTest;
  beforeAll(async () => {
    const config = parseGuardConfig({ allow: [], connection: { max_per_ip: 10, max_total: 25 }, blocklist: { enabled: false }, reputation: { enabled: false } });
    env = await startEnvTest({ guard: { config } });
  });
  afterAll(async () => env?.stop());

  it("holds max_per_ip and max_total at exactly their numbers", async () => {
    const admitted: Record<string, number> = {};
    for (const address of ["127.0.0.4", "127.0.0.5", "127.0.0.6"]) {
      const sockets = await Promise.all(Array.from({ length: 15 }, () => open(env.url, address)));
      const alive = await Promise.all(sockets.map(answers));
      admitted[address] = alive.filter(Boolean).length;
      // Kept open, so they count toward max_total for the next address.
    }
    expect(admitted).toEqual({ "127.0.0.4": 10, "127.0.0.5": 10, "127.0.0.6": 5 });
  });
});
