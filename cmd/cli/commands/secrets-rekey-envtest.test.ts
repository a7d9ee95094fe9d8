// `claw secrets rekey` against real servers sharing one store: the first holds the old master key, the
// second the new one first; after the rekey a third holding only the new key opens every value. Also
// what a person without secrets:admin is refused.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRole, keyFor } from "../../../api/auth/testing/identity-fixtures.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import { Keyring } from "../../../api/secrets/keyring.js";
import { secretsPaths } from "../../../api/types/secrets-api.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness, type HarnessOptions } from "../testing/cli-harness.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
const oldKey = crypto.getRandomValues(new Uint8Array(32));
const newKey = crypto.getRandomValues(new Uint8Array(32));
const VALUES = { alpha: "alpha-value", beta: "beta-value", gamma: "gamma-value", delta: "delta-value", epsilon: "epsilon-value" };
const servers: EnvTest[] = [];
let claw: CliHarness;
let readerKey: string;

/** `claw ARGS` against servers[i], as the admin unless a credential is given. */
const on = (i: number, args: string[], opts: HarnessOptions & { credential?: string } = {}) =>
  claw.run(["--server", servers[i]!.url, ...(opts.credential ? ["--token", opts.credential] : []), ...args], opts);
const start = async (keys: Uint8Array[]) => {
  servers.push(await startEnvTest({ clock, keyring: new Keyring(keys), ...(servers[0] ? { sharedStore: servers[0].store } : {}) }));
};

beforeAll(async () => {
  await start([oldKey]);
  claw = await CliHarness.create(clock);
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true });
  await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: servers[0]!.url, token: servers[0]!.token })), { mode: 0o600 });
  for (const [name, value] of Object.entries(VALUES)) expect((await on(0, ["secrets", "create", name, "--value-stdin"], { stdin: value })).code).toBe(0);
  // Older versions are kept, so they must be re-sealed too: alpha has three, beta two.
  for (const [name, value] of [["alpha", "alpha-2"], ["alpha", "alpha-3"], ["beta", "beta-2"]] as const) {
    expect((await on(0, ["secrets", "rotate", name, "--value-stdin"], { stdin: `${value}\n` })).code).toBe(0);
    VALUES[name] = value;
  }
  await createRole(servers[0]!, "secret-reader", ["secrets:read", "secrets:list"]);
  readerKey = (await keyFor(servers[0]!, { user: "reader", roles: ["secret-reader"] })).secret;
});
afterAll(async () => {
  for (const s of servers.reverse()) await s.stop();
  await claw?.dispose();
});

describe("claw secrets rekey", () => {
  it("refuses a person without secrets:admin: reveal and rekey exit 5 and name the permission", async () => {
    const reveal = await on(0, ["secrets", "reveal", "alpha"], { credential: readerKey });
    expect(reveal.code).toBe(ExitCode.Forbidden);
    expect(reveal.stderr).toMatch(/^Error from server \(Forbidden\): .*needs secrets:admin/);
    const rekey = await on(0, ["secrets", "rekey"], { credential: readerKey });
    expect(rekey.code).toBe(ExitCode.Forbidden);
    expect(rekey.stderr.match(/Forbidden/g)).toHaveLength(1);
    expect(rekey.stdout).toContain("4 secrets not reached");
  });

  it("re-seals every secret under the new primary key with a progress bar, and says what it did", async () => {
    await start([newKey, oldKey]);
    const primary = servers[1]!.keyring.primaryId;
    // As if an earlier run stopped after one secret: that one is already done.
    const early = await fetch(servers[1]!.url + secretsPaths.rekey("gamma"), { method: "POST", headers: { Authorization: `Bearer ${servers[0]!.token}` } });
    expect(early.status).toBe(200);
    const run = await on(1, ["secrets", "rekey"], { terminal: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`rekey: 4 secrets re-sealed (7 versions) under key ${primary}; 1 secret already was\n`);
    expect(run.stderr).toMatch(/\rrekeying secrets \[#{30}\] 100% {2}5 \/ 5 secrets\n$/);
    const again = await on(1, ["secrets", "rekey"]);
    expect(again).toEqual({ code: 0, stdout: `rekey: 0 secrets re-sealed (0 versions) under key ${primary}; 5 secrets already were\n`, stderr: "" });
    const list = (await on(1, ["secrets", "list"])).stdout.trimEnd().split("\n").slice(1);
    expect(list.map((l) => l.split(/\s+/)[0])).toEqual(Object.keys(VALUES).sort());
    for (const line of list) expect(line).toContain(primary);
  });

  it("leaves nothing sealed under the old key: a server without it opens every value and its history", async () => {
    await start([newKey]);
    for (const [name, value] of Object.entries(VALUES)) expect((await on(2, ["secrets", "reveal", name])).stdout).toBe(value);
    const history = (await on(2, ["secrets", "history", "alpha"])).stdout;
    expect(history.match(new RegExp(servers[2]!.keyring.primaryId, "g"))).toHaveLength(3);
  });
});
