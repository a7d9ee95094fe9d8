// `claw security check` against a real `claw server` in-process (runServer, TLS, the embedded store): a default
// first start, a hardened configuration, and one with TLS and audit off (a critical failure: exit 1).

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { FakeClock } from "../../api/machinery/clock.js";
import type { Certificate } from "../../api/types/certificate.js";
import { ROOT_CA_NAME } from "../../api/types/pki-api.js";
import { mfaPaths, type MfaEnrollment } from "../../api/types/mfa-api.js";
import { securityCheckPath, type SecurityCheckReport } from "../../api/types/security-check-api.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../../hack/testing/https-call.js";
import { CliHarness } from "../cli/testing/cli-harness.js";
import { runServer, type RunningServer } from "./run-server.js";

const clock = new FakeClock(Date.now());
const JWT_SECRET = randomBytes(32).toString("hex");
const CERTIFICATES = "/apis/security.clawbernetes.com/v1/certificates";

interface Started {
  server: RunningServer;
  dir: string;
  cli: CliHarness;
  admin?: HttpsClient;
}

async function start(sections: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "claw-security-check-"));
  const server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections }, logger: pino({ level: "silent" }), announce: () => {}, clock, env });
  const cli = await CliHarness.create(clock);
  mkdirSync(join(cli.homeDir, ".claw"), { recursive: true });
  writeFileSync(join(cli.homeDir, ".claw", "config"), readFileSync(server.adminConfigPath, "utf8"), { mode: 0o600 });
  const tls = server.url.startsWith("https:");
  return { server, dir, cli, ...(tls ? { admin: adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml) } : {}) };
}

/** The in-process certificates controller marks the root CA Ready shortly after the start. */
async function untilRootCaReady({ server, admin }: Started): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await httpsCall<Certificate>(server.url, `${CERTIFICATES}/${ROOT_CA_NAME}`, admin!);
    if (res.body?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) return;
    if (Date.now() > deadline) throw new Error(`the root CA is not Ready: ${JSON.stringify(res.body?.status)}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function stop(s: Started | undefined): Promise<void> {
  await s?.server.stop();
  await s?.cli.dispose();
  if (s) rmSync(s.dir, { recursive: true, force: true });
}

const failing = (report: SecurityCheckReport) => report.items.filter((i) => i.result === "fail").map((i) => i.id);
const resultOf = (report: SecurityCheckReport, id: string) => report.items.find((i) => i.id === id)?.result;
/** Printed so a run records the scores measured (the reply quotes them). */
const record = (name: string, report: SecurityCheckReport) =>
  console.log(`${name}: ${report.score.percent}% (${report.score.passed}/${report.score.applicable}); failing: ${failing(report).join(", ") || "none"}; n/a: ${report.items.filter((i) => i.result === "n/a").map((i) => i.id).join(", ")}\n${report.items.map((i) => `  ${i.result} ${i.severity} ${i.id}: ${i.evidence}`).join("\n")}`);

describe("a default first start", () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({});
    await untilRootCaReady(s);
  }, 60_000);
  afterAll(() => stop(s));

  it("answers the admin with the checklist, failing the store-generated JWT secret, the live bootstrap key and mTLS", async () => {
    const res = await httpsCall<SecurityCheckReport>(s.server.url, securityCheckPath, s.admin!);
    expect(res.status).toBe(200);
    record("default", res.body);
    expect(resultOf(res.body, "tls")).toBe("pass");
    expect(resultOf(res.body, "pki")).toBe("pass");
    expect(resultOf(res.body, "audit")).toBe("pass");
    expect(resultOf(res.body, "mesh")).toBe("n/a");
    expect(failing(res.body)).toEqual(expect.arrayContaining(["jwt-secret", "mtls-nodes", "named-accounts", "api-key-scopes", "mfa-admins", "siem"]));
    expect(JSON.stringify(res.body)).not.toMatch(/clk_/);
  });

  it("refuses a caller without a credential", async () => {
    const res = await httpsCall(s.server.url, securityCheckPath, { ca: s.admin!.ca });
    expect(res.status).toBe(401);
  });

  it("claw security check prints the score and table and exits 0 with no critical failure", async () => {
    const run = await s.cli.run(["security", "check"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Security score: \d+% \(\d+ of \d+ applicable checks pass/);
    expect(run.stdout).toContain("FAIL     high       jwt-secret");
    expect(run.stdout).not.toContain("\u001b[");
  });

  it("claw security check -o json gives the report for CI", async () => {
    const run = await s.cli.run(["security", "check", "-o", "json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as SecurityCheckReport;
    expect(report.kind).toBe("SecurityCheck");
    expect(report.items.map((i) => i.id)).toContain("mfa-admins");
  });
});

describe("a hardened configuration", () => {
  let s: Started;
  beforeAll(async () => {
    s = await start(
      {
        auth: { jwt: { secret_env: "CLAW_TEST_JWT_SECRET" }, mfa: { required_for_roles: ["admin"] } },
        tls: { min_version: "1.3", require_client_cert: true },
        audit: { enabled: true, hash_chain: true, sign_logs: true, export: { enabled: true, endpoint: "https://127.0.0.1:9/ingest" } },
        ddos: { enabled: true },
        alerts: { enabled: true, webhook: "https://127.0.0.1:9/alerts" },
      },
      { CLAW_TEST_JWT_SECRET: JWT_SECRET },
    );
    // MFA is required for admin: the bootstrap key may only enrol until the admin does.
    const enrolled = await httpsCall<MfaEnrollment>(s.server.url, mfaPaths.enroll("admin"), s.admin!, { method: "POST", json: {} });
    expect(enrolled.status).toBe(201);
    const code = new TOTP({ secret: Secret.fromBase32(enrolled.body.secret) }).generate({ timestamp: clock.now() });
    expect((await httpsCall(s.server.url, mfaPaths.confirm("admin"), s.admin!, { method: "POST", json: { code } })).status).toBe(200);
    await untilRootCaReady(s);
  }, 60_000);
  afterAll(() => stop(s));

  it("passes the configuration items and fails only what an operator still has to do", async () => {
    const res = await httpsCall<SecurityCheckReport>(s.server.url, securityCheckPath, s.admin!);
    expect(res.status).toBe(200);
    record("hardened", res.body);
    for (const id of ["jwt-secret", "pki", "tls", "mtls-nodes", "audit", "ddos", "siem", "alerts", "rbac", "mfa-admins", "least-privilege"]) expect([id, resultOf(res.body, id)]).toEqual([id, "pass"]);
    expect(failing(res.body)).toEqual(["geo", "named-accounts", "api-key-scopes"]);
    expect(JSON.stringify(res.body)).not.toContain(JWT_SECRET);
  });
});

describe("TLS and audit off", () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({ tls: { enabled: false }, audit: { enabled: false }, ddos: { enabled: false } });
  }, 60_000);
  afterAll(() => stop(s));

  it("claw security check exits 1 on the critical failures and names them", async () => {
    const run = await s.cli.run(["security", "check"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/tls \(critical\): \[tls\] enabled = false/);
    expect(run.stdout).toMatch(/audit \(critical\): \[audit\] enabled = false/);
    const json = await s.cli.run(["security", "check", "-o", "json"]);
    expect(json.code).toBe(1);
    record("tls+audit off", JSON.parse(json.stdout) as SecurityCheckReport);
  });
});
