// `claw security block | blocklist | unblock` end to end against the real API server (test/envtest.ts):
// the BlockRule each writes, renewal, one address in several spellings, manual and auto rules together.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../api/machinery/clock.js";
import type { BlockRule } from "../../../api/types/block-rule.js";
import { BLOCKED_BY_ANNOTATION, blockRuleName } from "../../../api/types/guard-api.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const RULES = "/apis/security.clawbernetes.com/v1/blockrules";
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let admin: CliHarness;

const claw = (...args: string[]) => admin.run(args);
const ruleNamed = async (name: string): Promise<{ status: number; rule: BlockRule }> => {
  const res = await env.request(`${RULES}/${name}`);
  return { status: res.status, rule: (await res.json()) as BlockRule };
};
const createRule = (name: string, spec: NonNullable<BlockRule["spec"]>) =>
  env.request(RULES, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name }, spec } });

beforeAll(async () => {
  env = await startEnvTest({ clock });
  admin = await CliHarness.create(clock);
  await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
  await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
});
afterAll(async () => {
  await admin?.dispose();
  await env?.stop();
});

describe("claw security block, blocklist and unblock", () => {
  it("blocks an address for 24h, lists it with who blocked it and what is left, and unblocks it", async () => {
    const blocked = await claw("security", "block", "203.0.113.42", "--reason", "Suspicious activity", "--duration", "24h");
    expect(blocked).toEqual({ code: 0, stdout: "blocked 203.0.113.42 for 24h (blockrule/block-203-0-113-42)\n", stderr: "" });
    const { rule } = await ruleNamed("block-203-0-113-42");
    expect(rule.spec).toEqual({ cidr: "203.0.113.42", reason: "Suspicious activity", duration: "24h", source: "manual" });
    expect(rule.metadata.annotations?.[BLOCKED_BY_ANNOTATION]).toBe("admin");

    clock.step(60_000);
    const list = await claw("security", "blocklist");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^SOURCE\s+REASON\s+BY\s+EXPIRES IN\s+ACTIVE\n/);
    expect(list.stdout).toMatch(/^203\.0\.113\.42\s+Suspicious activity\s+admin\s+23h59m\s+yes$/m);

    expect(await claw("security", "unblock", "203.0.113.42")).toEqual({ code: 0, stdout: "unblocked 203.0.113.42: deleted blockrule/block-203-0-113-42 (manual)\n", stderr: "" });
    expect((await ruleNamed("block-203-0-113-42")).status).toBe(404);
    const again = await claw("security", "unblock", "203.0.113.42");
    expect(again.code).toBe(ExitCode.NotFound);
    expect(again.stderr).toContain("no BlockRule blocks exactly 203.0.113.42");
  });

  it("renews a block in place, counting a new duration from now", async () => {
    expect((await claw("security", "block", "192.0.2.10", "--reason", "first", "--duration", "1h")).code).toBe(0);
    clock.step(30 * 60_000);
    const renewed = await claw("security", "block", "192.0.2.10/32", "--reason", "again", "--duration", "2h");
    expect(renewed.stdout).toBe("blocked 192.0.2.10 for 2h (blockrule/block-192-0-2-10 renewed)\n");
    const { rule } = await ruleNamed("block-192-0-2-10");
    expect(rule.spec).toEqual({ cidr: "192.0.2.10", reason: "again", expiresAt: new Date(clock.now() + 2 * 3_600_000).toISOString().replace(".000Z", "Z"), source: "manual" });
    const list = await claw("security", "blocklist");
    expect(list.stdout).toMatch(/^192\.0\.2\.10\s+again\s+admin\s+2h\s+yes$/m);
  });

  it("blocks until a time, and for good", async () => {
    const until = new Date(clock.now() + 3 * 24 * 3_600_000).toISOString().replace(".000Z", "Z");
    expect((await claw("security", "block", "198.51.100.0/24", "--reason", "scanner network", "--expires", until)).stdout).toBe(`blocked 198.51.100.0/24 until ${until} (blockrule/block-198-51-100-0-24)\n`);
    expect((await claw("security", "block", "2001:db8:bad::/48", "--reason", "abuse")).stdout).toBe(
      "blocked 2001:db8:bad::/48 for good (blockrule/block-2001-0db8-0bad-0000-0000-0000-0000-0000-48)\n",
    );
    const list = (await claw("security", "blocklist")).stdout;
    expect(list).toMatch(/^198\.51\.100\.0\/24\s+scanner network\s+admin\s+3d\s+yes$/m);
    expect(list).toMatch(/^2001:db8:bad::\/48\s+abuse\s+admin\s+never\s+yes$/m);
  });

  it("unblocks the manual and the auto rule of one address, whatever its spelling, and says which", async () => {
    expect((await createRule(blockRuleName("2001:db8::1", "auto"), { cidr: "2001:db8::1", reason: "auto-block: 5 violations", duration: "1h", source: "auto" })).status).toBe(201);
    expect((await claw("security", "block", "2001:db8:0:0::1", "--reason", "by hand")).code).toBe(0);
    const list = (await claw("security", "blocklist")).stdout;
    expect(list).toMatch(/^2001:db8::1\s+auto-block: 5 violations\s+auto\s+1h\s+yes$/m);

    const unblocked = await claw("security", "unblock", "2001:DB8::1/128");
    expect(unblocked.code).toBe(0);
    expect(unblocked.stdout).toBe(
      "unblocked 2001:db8::1: deleted blockrule/auto-2001-0db8-0000-0000-0000-0000-0000-0001 (auto), blockrule/block-2001-0db8-0000-0000-0000-0000-0000-0001 (manual)\n",
    );
  });

  it("names the wider block that still holds an address it cannot unblock", async () => {
    const run = await claw("security", "unblock", "198.51.100.7");
    expect(run.code).toBe(ExitCode.NotFound);
    expect(run.stderr).toContain("no BlockRule blocks exactly 198.51.100.7; it lies within blockrule/block-198-51-100-0-24 (198.51.100.0/24)");
  });

  it.each([
    { name: "refuses something that is not an address", args: ["block", "example.com", "--reason", "x"], message: '"example.com" is not an IPv4 or IPv6 address or CIDR block' },
    { name: "refuses a prefix too long", args: ["block", "10.0.0.0/33", "--reason", "x"], message: '"10.0.0.0/33" is not an IPv4 or IPv6 address or CIDR block' },
    { name: "refuses a block without a reason", args: ["block", "10.0.0.1"], message: "say why with --reason" },
    { name: "refuses a duration without a unit", args: ["block", "10.0.0.1", "--reason", "x", "--duration", "24"], message: '--duration: "24" is not a duration' },
    { name: "refuses a duration and an expiry together", args: ["block", "10.0.0.1", "--reason", "x", "--duration", "1h", "--expires", "2030-01-01T00:00:00Z"], message: "give --duration or --expires, not both" },
    { name: "refuses an expiry in the past", args: ["block", "10.0.0.1", "--reason", "x", "--expires", "2020-01-01T00:00:00Z"], message: "--expires: 2020-01-01T00:00:00Z is in the past" },
    { name: "refuses to unblock something that is not an address", args: ["unblock", "10.0.0"], message: '"10.0.0" is not an IPv4 or IPv6 address or CIDR block' },
  ])("$name, with exit 2 and nothing written", async ({ args, message }) => {
    const before = ((await (await env.request(RULES)).json()) as { items: unknown[] }).items.length;
    const run = await claw("security", ...args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(message);
    expect(((await (await env.request(RULES)).json()) as { items: unknown[] }).items.length).toBe(before);
  });

  it("blocks the network of a CIDR with host bits set, and says so", async () => {
    const run = await claw("security", "block", "10.1.2.3/8", "--reason", "lab", "--duration", "1h");
    expect(run).toMatchObject({ code: 0, stdout: "blocked 10.0.0.0/8 for 1h (blockrule/block-10-0-0-0-8)\n" });
    expect(run.stderr).toContain("note: 10.1.2.3/8 has host bits set beyond /8; blocking the network 10.0.0.0/8");
  });
});
