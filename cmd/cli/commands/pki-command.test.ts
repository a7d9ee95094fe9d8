// `claw pki` refusals that need no server: every one exits before a request (the server named does not
// listen, so reaching it would exit 3, not the code asserted).

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const NOWHERE = ["--server", "http://127.0.0.1:9"];
let cli: CliHarness;
let dir: string;

beforeAll(async () => {
  cli = await CliHarness.create();
  dir = await mkdtemp(join(tmpdir(), "claw-pki-"));
});
afterAll(async () => {
  await cli.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("claw pki init", () => {
  it("changes nothing where ca.crt exists, says how to make a new root CA, and exits 7", async () => {
    await writeFile(join(dir, "ca.crt"), "existing");
    const run = await cli.run([...NOWHERE, "pki", "init", "--dir", dir]);
    expect(run).toEqual({
      code: ExitCode.Conflict,
      stdout: "",
      stderr:
        `error: the PKI is already initialized at ${dir}/ (${join(dir, "ca.crt")} exists); nothing was changed.\n` +
        "'claw pki init --force' makes a new root CA: a new key, every certificate it signed is reissued, and every client must then trust the new ca.crt.\n",
    });
    expect(await readFile(join(dir, "ca.crt"), "utf8")).toBe("existing");
  });
});

describe("claw pki flags", () => {
  it.each([
    { name: "issue refuses an IP that is no IP", args: ["issue", "gateway", "--dns", "gateway.example.com", "--ip", "10.0.0"], message: 'error: --ip: "10.0.0" is not an IP address, such as 10.0.0.1 or fd00::1\n' },
    { name: "issue refuses a DNS name that is none", args: ["issue", "gateway", "--dns", "gateway_1.example.com"], message: 'error: --dns: "gateway_1.example.com" is not a DNS name' },
    { name: "issue gateway refuses to make a certificate no client can check", args: ["issue", "gateway"], message: "error: a gateway certificate needs the names clients reach it by" },
    { name: "issue node needs the node's name", args: ["issue", "node", "--dns", "n.example.com"], message: "error: say which node: --name NODE, such as --name gpu-node-1\n" },
    { name: "issue refuses a timeout without a unit", args: ["issue", "node", "--name", "n1", "--timeout", "60"], message: 'error: --timeout: "60" is not a duration' },
    { name: "init refuses a timeout without a unit", args: ["init", "--dir", "/nonexistent/pki", "--timeout", "soon"], message: 'error: --timeout: "soon" is not a duration' },
    { name: "renew refuses a timeout without a unit", args: ["renew", "gateway", "--timeout", "1x"], message: 'error: --timeout: "1x" is not a duration' },
    {
      name: "revoke names the reasons it knows",
      args: ["revoke", "gateway", "--reason", "compromised"],
      message: 'error: --reason: "compromised" is not a revocation reason; use one of unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn\n',
    },
  ])("$name, with exit 2", async ({ args, message }) => {
    const run = await cli.run([...NOWHERE, "pki", ...args]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr.startsWith(message)).toBe(true);
  });
});
