// `claw node token create | list | delete` against a fake of the token endpoints: the request bodies, the
// output, that the token is printed only by create, and the refusals that send nothing.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, afterAll, describe, expect, it } from "vitest";
import { nodesPaths, type BootstrapTokenCreated } from "../../../api/types/nodes-api.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";
import { startFakeNodeTokenServer, type FakeNodeTokenServer, type FakeNodeTokenServerOptions } from "../testing/fake-node-token-server.js";

const ADMIN_KEY = "clk_adminxxxxxxxxxxxxxxxxssssssssssssssssssssssssssssssss";
let server: FakeNodeTokenServer;
let claw: CliHarness;

const token = (...args: string[]) => claw.run(["node", "token", ...args]);
const secretsOf = () => [...server.tokens.values()].map((t) => t.token.split(".")[1]!);

async function serve(opts: Partial<FakeNodeTokenServerOptions> = {}): Promise<void> {
  await server?.close();
  // The harness's clock reads 2026-01-01T01:00:00Z.
  server = await startFakeNodeTokenServer({ adminKey: ADMIN_KEY, now: "2026-01-01T01:00:00Z", ...opts });
  await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: server.url, token: ADMIN_KEY })), { mode: 0o600 });
}

beforeAll(async () => {
  claw = await CliHarness.create();
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true });
});
afterAll(() => claw.dispose());
beforeEach(() => serve());
afterEach(() => server.close());

describe("claw node token create", () => {
  it("asks for one use for an hour by default and prints the token once, with the join command", async () => {
    const run = await token("create");
    expect(server.requests.map((r) => [r.method, r.path, JSON.parse(r.body) as unknown])).toEqual([["POST", nodesPaths.tokens, { ttl: "1h", uses: 1 }]]);
    const whole = server.tokens.get("tok00001")!.token;
    expect(run).toEqual({
      code: 0,
      stdout: [
        "Bootstrap token tok00001 created (expires 2026-01-01T02:00:00Z, 1 use)",
        "",
        `  ${whole}`,
        "",
        "Join a node with it, on the node:",
        "",
        `  claw node join --token ${whole} --gateway ${server.url}`,
        "",
        "WARNING: The token will not be shown again!",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("sends the ttl, uses, node and description given", async () => {
    const run = await token("create", "--ttl", "30m", "--uses", "5", "--node", "gpu-node-1", "--description", "rack 4");
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ ttl: "30m", uses: 5, node: "gpu-node-1", description: "rack 4" });
    expect(run.stdout.split("\n")[0]).toBe("Bootstrap token tok00001 created (expires 2026-01-01T01:30:00Z, 5 uses, only for node gpu-node-1)");
  });

  it("prints the server's BootstrapToken with -o json", async () => {
    const run = await token("create", "--uses", "2", "-o", "json");
    expect(JSON.parse(run.stdout)).toEqual({
      apiVersion: "security.clawbernetes.com/v1",
      kind: "BootstrapToken",
      id: "tok00001",
      expiresAt: "2026-01-01T02:00:00Z",
      usesLeft: 2,
      createdBy: "admin",
      createdAt: "2026-01-01T01:00:00Z",
      token: server.tokens.get("tok00001")!.token,
    } satisfies BootstrapTokenCreated);
  });
});

describe("claw node token list", () => {
  beforeEach(async () => {
    await token("create", "--ttl", "2h", "--uses", "3", "--description", "rack 4");
    await token("create", "--ttl", "30m", "--node", "gpu-node-7");
    server.requests.length = 0;
  });

  it("shows id, expiry, uses left, node, description and creator, and never a secret", async () => {
    const run = await token("list");
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([["GET", nodesPaths.tokens]]);
    expect(run.stdout).toBe(
      [
        "ID         EXPIRES   USES LEFT   NODE         DESCRIPTION   CREATED BY",
        "tok00001   in 120m   3           any          rack 4        admin",
        "tok00002   in 30m    1           gpu-node-7   <none>        admin",
        "",
      ].join("\n"),
    );
    for (const secret of secretsOf()) expect(run.stdout).not.toContain(secret);
  });

  it.each([["json"], ["yaml"], ["table"]])("prints no secret, nor a hash, even when the server sends them (%s)", async (format) => {
    await serve({ leakSecrets: true });
    await token("create");
    const run = await token("list", ...(format === "table" ? [] : ["-o", format]));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tok00001");
    expect(run.stdout).not.toContain(secretsOf()[0]!);
    expect(run.stdout).not.toMatch(/sha256|clbt_/);
  });

  it("says when there are none", async () => {
    await serve();
    expect(await token("list")).toEqual({ code: 0, stdout: "", stderr: "No bootstrap tokens found\n" });
  });
});

describe("claw node token delete", () => {
  beforeEach(async () => {
    await token("create", "--uses", "3");
    server.requests.length = 0;
  });

  it("deletes the token by id and says how many uses it had left", async () => {
    expect(await token("delete", "tok00001")).toEqual({ code: 0, stdout: "bootstrap token tok00001 deleted (3 uses were left)\n", stderr: "" });
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([["DELETE", nodesPaths.token("tok00001")]]);
    expect(server.tokens.size).toBe(0);
  });

  it("takes a whole token, sending only its id", async () => {
    const whole = server.tokens.get("tok00001")!.token;
    expect((await token("delete", whole)).code).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual([nodesPaths.token("tok00001")]);
  });

  it("says where the ids are when there is no such token, with exit 6", async () => {
    expect(await token("delete", "tok99999")).toEqual({
      code: ExitCode.NotFound,
      stdout: "",
      stderr: "error: there is no bootstrap token tok99999 (an expired or used-up token is gone already); 'claw node token list' shows the tokens there are\n",
    });
  });
});

describe("claw node token refusals", () => {
  it.each([
    { name: "a ttl without a unit, saying to add one", args: ["create", "--ttl", "60"], message: 'error: --ttl: "60" has no unit; add one, such as 60m\n' },
    { name: "a ttl that is no duration", args: ["create", "--ttl", "soon"], message: 'error: --ttl: "soon" is not a duration; write a number and a unit h, m or s, such as 1h or 30m\n' },
    { name: "a ttl over a day", args: ["create", "--ttl", "48h"], message: "error: --ttl: 48h is longer than 24h; a bootstrap token is meant to be short-lived, so create another when you need it\n" },
    { name: "a ttl under a minute", args: ["create", "--ttl", "30s"], message: "error: --ttl: 30s is shorter than a minute, too short to join a node with\n" },
    { name: "no uses", args: ["create", "--uses", "0"], message: 'error: --uses: "0" is not in the range 1–100 (how many nodes may join with the token)\n' },
    { name: "too many uses", args: ["create", "--uses", "1000"], message: 'error: --uses: "1000" is not in the range 1–100 (how many nodes may join with the token)\n' },
    { name: "uses that are no whole number", args: ["create", "--uses", "2.5"], message: 'error: --uses: "2.5" is not in the range 1–100 (how many nodes may join with the token)\n' },
    { name: "a node name that is none", args: ["create", "--node", "GPU_1"], message: 'error: --node: "GPU_1" is not a node name; use a DNS label such as gpu-node-1\n' },
    { name: "an output format it does not make", args: ["list", "-o", "wide"], message: 'error: unknown output format "wide"; use one of json, yaml\n' },
    { name: "an id that is none", args: ["delete", "../users"], message: `error: "../users" is not a token id (8 lowercase letters and digits); 'claw node token list' shows them\n` },
  ])("refuses $name with exit 2, asking the server nothing", async ({ args, message }) => {
    expect(await token(...args)).toEqual({ code: ExitCode.Usage, stdout: "", stderr: message });
    expect(server.requests).toEqual([]);
  });
});
