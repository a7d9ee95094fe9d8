// Two servers on one store: a BlockRule written through one is enforced by the other within a second (at
// accept, before any HTTP), and `claw security unblock` lifts it on both. A forwarded client from a trusted
// proxy is judged by its own address, including its country.

import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGuardConfig } from "../api/guard/guard-config-parser.js";
import { openCountryLookup } from "../api/guard/country-lookup.js";
import { startEnvTest, type EnvTest } from "./envtest.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";

const RULES = "/apis/security.clawbernetes.com/v1/blockrules";

/** A GET from a local address; 0 when the connection is refused. */
function get(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = request(new URL("/version", url), { agent: new Agent({ localAddress }), headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

/** Asks until `want` or a second has passed; returns what it last saw and how long it took. */
async function within(ms: number, ask: () => Promise<number>, want: number): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  let status = await ask();
  while (status !== want && Date.now() - started < ms) status = await ask();
  return { status, ms: Date.now() - started };
}

describe("BlockRules on two servers sharing one store", () => {
  let a: EnvTest;
  let b: EnvTest;
  let cli: CliHarness;
  beforeAll(async () => {
    const config = parseGuardConfig({ allow: [] });
    a = await startEnvTest({ guard: { config } });
    b = await startEnvTest({ guard: { config }, sharedStore: a.store });
    cli = await CliHarness.create();
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await cli?.dispose();
  });

  it("enforces on B a rule written through A within a second, and claw security unblock lifts it on both", async () => {
    expect(await get(b.url, "127.0.0.7")).toBe(200);
    const rule = { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name: "block-127-0-0-7" }, spec: { cidr: "127.0.0.7", reason: "Suspicious activity", duration: "24h" } };
    expect((await a.request(RULES, { method: "POST", json: rule })).status).toBe(201);
    const onB = await within(1_000, () => get(b.url, "127.0.0.7"), 0);
    expect(onB.status).toBe(0);
    expect(await get(a.url, "127.0.0.7")).toBe(0);
    // Others are not touched.
    expect(await get(b.url, "127.0.0.8")).toBe(200);
    const unblock = await cli.run(["--server", a.url, "--token", a.token, "security", "unblock", "127.0.0.7"]);
    expect(unblock.code, unblock.stderr).toBe(0);
    expect((await within(1_000, () => get(b.url, "127.0.0.7"), 200)).status).toBe(200);
    expect(await get(a.url, "127.0.0.7")).toBe(200);
  });

  it("blocks a CIDR for every address inside it", async () => {
    const rule = { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name: "block-net" }, spec: { cidr: "127.0.9.0/24", reason: "a bad network" } };
    // Written through B with A's admin credential (B joined A's store).
    const throughB = (path: string, init: RequestInit) => fetch(b.url + path, { ...init, headers: { Authorization: `Bearer ${a.token}`, "Content-Type": "application/json" } });
    expect((await throughB(RULES, { method: "POST", body: JSON.stringify(rule) })).status).toBe(201);
    expect((await within(1_000, () => get(a.url, "127.0.9.200"), 0)).status).toBe(0);
    expect(await get(a.url, "127.0.10.1")).toBe(200);
    expect((await throughB(`${RULES}/block-net`, { method: "DELETE" })).status).toBe(200);
  });
});

describe("a trusted proxy's forwarded clients", () => {
  let env: EnvTest;
  beforeAll(async () => {
    const config = parseGuardConfig({ allow: [], trusted_proxies: ["127.0.0.1/32"], geo: { enabled: true, mode: "allowlist", countries: ["US", "DE"] } });
    env = await startEnvTest({ guard: { config, countries: await openCountryLookup() } });
  });
  afterAll(async () => env?.stop());

  it.each([
    ["serves a client the proxy forwards from an allowed country (8.8.8.8, US)", { "X-Forwarded-For": "8.8.8.8" }, 200],
    ["serves one named in RFC 7239 Forwarded (194.25.2.129, DE)", { Forwarded: 'for="194.25.2.129:443"' }, 200],
    ["refuses one from a country the allowlist leaves out (126.0.0.1, JP)", { "X-Forwarded-For": "126.0.0.1" }, 403],
    ["judges the hop the proxy saw, not one the client prepended", { "X-Forwarded-For": "8.8.8.8, 200.204.0.10" }, 403],
  ])("%s", async (_sentence, headers, status) => {
    expect(await get(env.url, "127.0.0.1", headers)).toBe(status);
  });

  it("ignores forwarding headers from a peer that is not a trusted proxy", async () => {
    expect(await get(env.url, "127.0.0.2", { "X-Forwarded-For": "126.0.0.1" })).toBe(200);
  });
});
