// The gateway guard under a flood on loopback: a client bound to 127.0.0.2 sends at ten times its limit while
// a legitimate one on 127.0.0.3 sends at half of it. The legitimate client is served; the flooder gets 429s,
// is auto-blocked within a second of crossing the threshold (a BlockRule, source auto), and from then on
// refused at the connection.

import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "./envtest.js";
import { parseGuardConfig } from "../api/guard/guard-config-parser.js";
import type { BlockRule } from "../api/types/block-rule.js";
import { AuditReader } from "../api/audit/audit-reader.js";

const LIMIT = 20;

/** One GET from a local address; resolves with the status, or 0 when the connection was refused. */
function get(url: string, path: string, agent: Agent, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL(path, url), { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** Sends `perSecond` requests a second for `ms`, one every 1000/perSecond ms; returns each status and when. */
async function send(url: string, agent: Agent, token: string, perSecond: number, ms: number): Promise<{ status: number; at: number }[]> {
  const results: Promise<{ status: number; at: number }>[] = [];
  const start = Date.now();
  const gap = 1000 / perSecond;
  for (let i = 0; Date.now() - start < ms; i++) {
    const due = start + i * gap;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    results.push(get(url, "/apis/security.clawbernetes.com/v1/roles", agent, token).then((status) => ({ status, at: Date.now() })));
  }
  return Promise.all(results);
}

describe("a flood against the guard", () => {
  let env: EnvTest;
  beforeAll(async () => {
    const config = parseGuardConfig({ allow: [], rate_limit: { requests_per_second: LIMIT, burst_size: LIMIT }, compute: { max_cost_per_minute: 100_000 }, blocklist: { auto_block_threshold: 5, block_duration_secs: 3600 } });
    env = await startEnvTest({ guard: { config } });
  });
  afterAll(async () => env?.stop());

  it("serves the legitimate client, refuses the flooder, and auto-blocks it within a second of the threshold", async () => {
    const flooder = new Agent({ keepAlive: true, localAddress: "127.0.0.2", maxSockets: 16 });
    const legit = new Agent({ keepAlive: true, localAddress: "127.0.0.3", maxSockets: 4 });
    const [flood, fair] = await Promise.all([send(env.url, flooder, env.token, LIMIT * 10, 2_000), send(env.url, legit, env.token, LIMIT / 2, 2_000)]);
    flooder.destroy();
    legit.destroy();
    const served = fair.filter((r) => r.status === 200).length;
    expect(served / fair.length).toBeGreaterThanOrEqual(0.99);
    const limited = flood.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // The fifth violation crosses the threshold; from within a second after it, nothing is served.
    const crossed = limited[4]!.at;
    const servedLate = flood.filter((r) => r.status === 200 && r.at > crossed + 1_000);
    expect(servedLate).toEqual([]);
    expect(flood.some((r) => r.status === 403 || r.status === 0)).toBe(true);
    const rule = (await (await env.request("/apis/security.clawbernetes.com/v1/blockrules/auto-127-0-0-2")).json()) as BlockRule;
    expect(rule.spec).toMatchObject({ cidr: "127.0.0.2", source: "auto" });
    expect(Date.parse(rule.spec!.expiresAt!) - Date.now()).toBeGreaterThan(3_500_000);
    // Hundreds of refusals are a handful of audit entries: the first of each kind at once, the rest counted.
    const entries = (await new AuditReader(env.audit!.log.batches).query({ types: ["security.violation", "security.blocked"], limit: 1000 })).items.filter((e) => e.sourceIp === "127.0.0.2");
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.length).toBeLessThan(10);
    // A new connection from the flooder is refused at accept; the legitimate client is still served.
    expect(await get(env.url, "/healthz", new Agent({ localAddress: "127.0.0.2" }), env.token)).toBe(0);
    expect(await get(env.url, "/apis/security.clawbernetes.com/v1/roles", new Agent({ localAddress: "127.0.0.3" }), env.token)).toBe(200);
  }, 30_000);
});

describe("shadow mode", () => {
  let env: EnvTest;
  beforeAll(async () => {
    const config = parseGuardConfig({ shadow: true, allow: [], rate_limit: { requests_per_second: 1, burst_size: 1 }, blocklist: { auto_block_threshold: 2 } });
    env = await startEnvTest({ guard: { config } });
  });
  afterAll(async () => env?.stop());

  it("decides and counts every refusal but refuses nothing, and writes no BlockRule", async () => {
    const agent = new Agent({ keepAlive: true, localAddress: "127.0.0.2" });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get(env.url, "/apis/security.clawbernetes.com/v1/roles", agent, env.token)));
    agent.destroy();
    expect(statuses.every((s) => s === 200)).toBe(true);
    const metrics = await (await env.request("/metrics")).text();
    expect(metrics).toMatch(/claw_guard_decisions_total\{decision="shadow",reason="rate_limit"\} (19|1\d)/);
    const rules = (await (await env.request("/apis/security.clawbernetes.com/v1/blockrules")).json()) as { items: unknown[] };
    expect(rules.items).toEqual([]);
  });
});
