// The security dashboard against a real `claw server` (TLS from its own CA, SQLite, the audit log, the
// controllers in-process): the static routes' headers and allow-list over HTTPS, then Debian's Chromium,
// headless through playwright-core and trusting the server's CA through an NSS database of its own, logs in as
// the admin and as a viewer who may list only BlockRules, and each panel is checked and photographed into
// test-artifacts/dashboard/. The browser half skips only when Chromium is missing and CI is unset.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "otpauth";
import { parse as parseYaml } from "yaml";
import { totpCodeAt } from "../api/auth/totp.js";
import { authPaths, SECURITY_API } from "../api/types/auth-api.js";
import { DASHBOARD_CSP, DASHBOARD_FILES, packageDashboardFolders } from "../cmd/dashboard/dashboard-routes.js";
import { runServer, type RunningServer } from "../cmd/server/run-server.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../hack/testing/https-call.js";

const ROOT = resolve(import.meta.dirname, "..");
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts", "dashboard");
const PASSWORD = "correct horse battery staple";
const BLOCKED = "203.0.113.42";
/** Failed logins against one user name that raise a failed_logins_per_user alert (docs/alerts.md). */
const ALERT_THRESHOLD = 3;
const ATTACKED = "mallory";
const BROWSER = existsSync(CHROMIUM) || process.env.CI !== undefined;
if (!BROWSER) console.warn(`dashboard browser test skipped: ${CHROMIUM} is missing and CI is unset (apt-get install -y chromium)`);

let dir = "";
let server: RunningServer;
let admin: HttpsClient;

/** Compiles the browser modules into dist/cmd/dashboard/web, as `npm run build` does, so the test needs no prior build. */
function buildBrowserModules(): string[] {
  const web = join(ROOT, "cmd", "dashboard", "web");
  const roots = readdirSync(web).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => join(web, f));
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
  if (!config) throw new Error("tsconfig.json could not be read");
  const program = ts.createProgram(roots, { ...config.options, noEmit: false });
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file && roots.includes(resolve(d.file.fileName)));
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" }));
  for (const root of roots) program.emit(program.getSourceFile(root));
  return roots.map((r) => r.replace(/\.ts$/, ".js").split("/").at(-1)!);
}

/** One HTTPS GET with the server's CA: status, headers and text. */
function fetchText(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((done, fail) => {
    const req = request(new URL(path, server.url), { ca: admin.ca, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", fail);
    req.end();
  });
}

async function create(plural: string, kind: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const answer = await httpsCall(server.url, `${SECURITY_API}/${plural}`, admin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind, metadata: { name }, spec } });
  expect(answer.status, `create ${kind} ${name}: ${JSON.stringify(answer.body)}`).toBe(201);
}

async function setPassword(user: string): Promise<void> {
  const answer = await httpsCall(server.url, authPaths.userPassword(user), admin, { method: "POST", json: { password: PASSWORD } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

let emitted: string[] = [];

beforeAll(async () => {
  emitted = buildBrowserModules();
  dir = mkdtempSync(join(tmpdir(), "claw-dashboard-"));
  server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: { alerts: { enabled: true, rules: { failed_logins_per_user: { threshold: ALERT_THRESHOLD } } } } }, logger: (await import("pino")).pino({ level: "silent" }), announce: () => {} });
  admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
  await setPassword("admin");
  await create("blockrules", "BlockRule", "block-203-0-113-42", { cidr: BLOCKED, reason: "Dashboard test: credential stuffing", duration: "24h", source: "manual" });
  await create("secrets", "Secret", "db-password", { valueFrom: { generate: { length: 32 } }, allowedWorkloads: ["api"], rotation: { autoRotate: true, intervalDays: 1 } });
  await create("roles", "Role", "block-viewer", { description: "sees the blocklist only", permissions: ["blockrules:list"] });
  await create("users", "User", "viewer", { email: "viewer@example.com", roles: ["block-viewer"] });
  await setPassword("viewer");
  // A failed login for the timeline and the audit stream.
  const refused = await httpsCall(server.url, authPaths.login, { ca: admin.ca }, { method: "POST", json: { username: "admin", password: "not the password" } });
  expect(refused.status).toBe(401);
  // A burst against one name for the alerts panel.
  for (let i = 0; i < ALERT_THRESHOLD; i++) {
    const burst = await httpsCall(server.url, authPaths.login, { ca: admin.ca }, { method: "POST", json: { username: ATTACKED, password: `guess ${i}` } });
    expect(burst.status).toBe(401);
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the dashboard's static routes", () => {
  it("serves the page with the CSP, nosniff and no-referrer, and no inline script or style", async () => {
    const page = await fetchText("/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.text).toContain('<script type="module" src="/dashboard/app.js"></script>');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it.each(Object.entries(DASHBOARD_FILES))("serves %s from the allow-list with its media type and the CSP", async (name, entry) => {
    const file = await fetchText(`/dashboard/${name}`);
    expect(file.status).toBe(200);
    expect(file.headers["content-type"]).toBe(entry.type);
    expect(file.headers["content-security-policy"]).toBe(DASHBOARD_CSP);
  });

  it("allow-lists exactly the compiled browser modules, which import only each other at run time", () => {
    expect(Object.keys(DASHBOARD_FILES).filter((n) => n.endsWith(".js")).sort()).toEqual([...emitted].sort());
    for (const name of emitted) {
      const js = readFileSync(join(packageDashboardFolders().scripts, name), "utf8");
      const specifiers = [...js.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s*"([^"]+)"|import\s*\(\s*"([^"]+)"/g)].map((m) => m[1] ?? m[2]);
      for (const s of specifiers) expect(s, `${name} imports ${s}`).toMatch(/^\.\/[a-z-]+\.js$/);
      for (const s of specifiers) expect(Object.keys(DASHBOARD_FILES), `${name} imports ${s}`).toContain(s!.slice(2));
    }
  });

  it.each([
    ["a file outside the allow-list", "/dashboard/dashboard-routes.ts", 404],
    ["an encoded parent path", "/dashboard/..%2Fpackage.json", 404],
    ["an encoded parent path to the store", "/dashboard/..%2F..%2Fdata%2Fstore.db", 404],
    ["an object's prototype name", "/dashboard/constructor", 404],
    ["a prototype accessor", "/dashboard/__proto__", 404],
    ["a source map", "/dashboard/app.js.map", 404],
    // No route matches a deeper path, so the pipeline asks for a credential before it says 404, as for any unknown path.
    ["a nested path", "/dashboard/web/app.js", 401],
  ])("refuses %s", async (_what, path, status) => {
    const answer = await fetchText(path);
    expect(answer.status).toBe(status);
    expect(answer.text).not.toContain("clawbernetes-claw");
    expect(answer.text).not.toContain("import ");
  });
});

describe.skipIf(!BROWSER)("the dashboard in Chromium", () => {
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    // Chromium trusts the server's CA from an NSS database in a HOME of its own: no certificate error is ignored.
    const certutil = ["/usr/bin/certutil", "/usr/sbin/certutil"].find((p) => existsSync(p));
    if (!certutil) throw new Error("certutil is missing: apt-get install -y libnss3-tools (Chromium trusts the test server's CA through it)");
    const home = join(dir, "home");
    const nss = `sql:${join(home, ".pki", "nssdb")}`;
    mkdirSync(join(home, ".pki", "nssdb"), { recursive: true });
    writeFileSync(join(dir, "ca.crt"), admin.ca);
    execFileSync(certutil, ["-d", nss, "-N", "--empty-password"]);
    execFileSync(certutil, ["-d", nss, "-A", "-t", "C,,", "-n", "claw-test-ca", "-i", join(dir, "ca.crt")]);
    const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
    // launchPersistentContext is playwright's way to pass a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(join(dir, "profile"), { executablePath: CHROMIUM, headless: true, args, env: { ...process.env, HOME: home }, viewport: { width: 1400, height: 1000 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    page.on("pageerror", (e) => void problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => void problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
    mkdirSync(ARTIFACTS, { recursive: true });
    // The folder ignores itself, so its screenshots are never committed.
    writeFileSync(join(ROOT, "test-artifacts", ".gitignore"), "*\n");
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  async function logIn(username: string): Promise<void> {
    await page.fill("#username", username);
    await page.fill("#password", PASSWORD);
    await page.click("#login-submit");
    await page.waitForSelector("#board:not([hidden])");
  }

  const panel = (id: string) => page.locator(`#panel-${id}`);
  const ADMIN_PANELS = ["audit", "score", "alerts", "blocks", "reputation", "expiry", "secrets", "logins", "nodes", "mfa"];
  const settled = async (id: string, state: "ok" | "denied") => page.waitForSelector(`#panel-${id}[data-state="${state}"]`, { timeout: 20_000 });

  it("serves the page over the server's TLS with the CSP header, and shows the login form", async () => {
    const answer = await page.goto(`${server.url}/dashboard`);
    expect(answer?.status()).toBe(200);
    expect(await answer?.headerValue("content-security-policy")).toBe(DASHBOARD_CSP);
    await page.waitForSelector("#login:not([hidden])");
    expect(await page.isHidden("#mfa-row")).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "login.png") });
  });

  it("asks for a one-time code when the login answers MFARequired, and sends it", async () => {
    const sent: unknown[] = [];
    await page.route(`${server.url}${authPaths.login}`, async (route) => {
      sent.push(route.request().postDataJSON());
      if (sent.length === 1) return route.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ kind: "Status", status: "Failure", code: 401, reason: "Unauthorized", message: "a one-time code is required", details: { causes: [{ reason: "MFARequired", message: "enter the code" }] } }) });
      return route.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ kind: "Status", code: 401, reason: "Unauthorized", message: "the code is not correct" }) });
    });
    await page.fill("#username", "admin");
    await page.fill("#password", PASSWORD);
    await page.click("#login-submit");
    await page.waitForSelector("#mfa-row:not([hidden])");
    await page.screenshot({ path: join(ARTIFACTS, "login-mfa.png") });
    await page.fill("#mfa-code", "123456");
    await page.click("#login-submit");
    await page.waitForFunction(() => document.getElementById("login-error")?.textContent?.includes("not correct"));
    expect(sent).toEqual([
      { username: "admin", password: PASSWORD },
      { username: "admin", password: PASSWORD, code: "123456" },
    ]);
    await page.unroute(`${server.url}${authPaths.login}`);
    // Back to a plain login form for the next test.
    await page.goto(`${server.url}/dashboard`);
  });

  it("logs the admin in and fills every panel from the REST API, with no console error", async () => {
    problems.length = 0;
    await logIn("admin");
    expect(await page.textContent("#viewer")).toContain("admin");
    for (const id of ADMIN_PANELS) await settled(id, "ok");
    expect(await panel("blocks").textContent()).toContain(BLOCKED);
    expect(await panel("blocks").textContent()).toContain("credential stuffing");
    await page.waitForFunction(() => document.getElementById("panel-audit")?.textContent?.includes("BlockRule/block-203-0-113-42"), undefined, { timeout: 20_000 });
    expect(await panel("audit").textContent()).toContain("auth.login");
    expect(await page.locator("#panel-logins svg.timeline rect.failures").count()).toBeGreaterThanOrEqual(1);
    expect(await panel("logins").textContent()).toMatch(/[1-9]\d* failed authentications?, \d+ blocked request/);
    expect(await page.locator("#panel-expiry svg.expiry-bar").count()).toBeGreaterThanOrEqual(1);
    expect(await panel("expiry").textContent()).toContain("clawbernetes-ca");
    await page.waitForFunction(() => document.getElementById("panel-secrets")?.textContent?.includes("db-password"), undefined, { timeout: 20_000 });
    expect(await panel("nodes").textContent()).toContain("No nodes registered.");
    await page.screenshot({ path: join(ARTIFACTS, "admin.png"), fullPage: true });
    for (const id of ADMIN_PANELS) await panel(id).screenshot({ path: join(ARTIFACTS, `panel-${id}.png`) });
    expect(problems).toEqual([]);
  });

  it("adds new audit entries live over the audit watch, without polling the log", async () => {
    const asked: string[] = [];
    const listen = (r: { url(): string }) => void asked.push(r.url());
    page.on("request", listen);
    try {
      await page.waitForSelector('#panel-audit [data-live="true"]', { timeout: 20_000 });
      await create("roles", "Role", "live-stream-probe", { description: "appears in the audit stream as it is created", permissions: ["roles:list"] });
      await page.waitForFunction(() => document.getElementById("panel-audit")?.textContent?.includes("Role/live-stream-probe"), undefined, { timeout: 10_000 });
      // The entry came over the stream opened before it was written: no query of the log since.
      expect(asked.filter((u) => u.includes("/audit.clawbernetes.com/v1/events") && !u.includes("type="))).toEqual([]);
      await panel("audit").screenshot({ path: join(ARTIFACTS, "audit-live.png") });
    } finally {
      page.off("request", listen);
    }
  });

  it("shows the security check's score as a percentage with a bar, and its failing items with their fix", async () => {
    await settled("score", "ok");
    expect(await page.locator("#panel-score .score-number").textContent()).toMatch(/^\d{1,3}%$/);
    expect(await page.locator("#panel-score svg.score-bar rect.fill").count()).toBe(1);
    const failing = await page.locator("#panel-score li.check").count();
    if (failing > 0) expect(await page.locator("#panel-score li.check .fix").first().textContent()).toMatch(/^Fix: \S/);
    else expect(await panel("score").textContent()).toContain("Every applicable check passes.");
    await panel("score").screenshot({ path: join(ARTIFACTS, "score.png") });
  });

  it("lists the alert a burst of failed logins raised: rule, subject and count", async () => {
    await page.waitForFunction((who) => document.getElementById("panel-alerts")?.textContent?.includes(who), ATTACKED, { timeout: 20_000 });
    const row = page.locator("#panel-alerts tbody tr", { hasText: ATTACKED });
    expect(await row.locator("td").allTextContents()).toEqual(["failed_logins_per_user", ATTACKED, String(ALERT_THRESHOLD), expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)]);
    await panel("alerts").screenshot({ path: join(ARTIFACTS, "alerts.png") });
  });

  it("enrols the admin in MFA: status, a QR code of the URI, a refused code, then the recovery codes once", async () => {
    problems.length = 0;
    expect(await panel("mfa").textContent()).toContain("Logins need only the password.");
    await panel("mfa").screenshot({ path: join(ARTIFACTS, "mfa-status.png") });
    await page.click("#mfa-enable");
    await page.waitForSelector("#mfa-enrol-code");
    const uri = (await page.locator("#panel-mfa .mfa-uri").textContent()) ?? "";
    const secret = (await page.locator("#panel-mfa .mfa-secret").textContent()) ?? "";
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*admin.*secret=/);
    expect(uri).toContain(`secret=${secret}`);
    // A version 5+ symbol of a ~100-byte URI: hundreds of dark modules, inside a square of the standard's sizes.
    expect(await page.locator("#panel-mfa svg.qr rect.module").count()).toBeGreaterThan(300);
    expect(Number(await page.locator("#panel-mfa svg.qr").getAttribute("width")) % 4).toBe(0);
    await panel("mfa").screenshot({ path: join(ARTIFACTS, "mfa-enrol.png") });
    const current = totpCodeAt(Secret.fromBase32(secret).bytes, Date.now());
    await page.fill("#mfa-enrol-code", String((Number(current) + 500_000) % 1_000_000).padStart(6, "0"));
    await page.click("#panel-mfa .mfa-confirm button");
    await page.waitForFunction(() => (document.querySelector("#panel-mfa .mfa-confirm .error")?.textContent ?? "") !== "");
    await page.fill("#mfa-enrol-code", totpCodeAt(Secret.fromBase32(secret).bytes, Date.now()));
    await page.click("#panel-mfa .mfa-confirm button");
    await page.waitForSelector("#panel-mfa .recovery-codes li");
    expect(await page.locator("#panel-mfa .recovery-codes li").count()).toBeGreaterThanOrEqual(5);
    await panel("mfa").screenshot({ path: join(ARTIFACTS, "mfa-recovery-codes.png") });
    await page.click("#mfa-done");
    await page.waitForFunction(() => document.getElementById("panel-mfa")?.textContent?.includes("TOTP is on"));
    expect(await page.locator("#mfa-enable").count()).toBe(0);
    // The refused code's 4xx is the answer this test wants.
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p))).toEqual([]);
  });

  it("keeps the session in memory only: no cookie, nothing in web storage", async () => {
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: "" });
    expect(await context.cookies()).toEqual([]);
  });

  it("shows a viewer who may list only BlockRules the blocks and their own MFA, and 'not permitted' for every other panel", async () => {
    problems.length = 0;
    await page.click("#logout");
    await page.waitForSelector("#login:not([hidden])");
    await logIn("viewer");
    await settled("blocks", "ok");
    expect(await panel("blocks").textContent()).toContain(BLOCKED);
    for (const id of ["audit", "score", "alerts", "reputation", "expiry", "secrets", "logins", "nodes"]) {
      await settled(id, "denied");
      expect(await panel(id).textContent()).toContain("Not permitted.");
    }
    // Their own MFA needs no permission.
    await settled("mfa", "ok");
    expect(await panel("mfa").textContent()).toContain("Logins need only the password.");
    await page.screenshot({ path: join(ARTIFACTS, "viewer.png"), fullPage: true });
    // Chromium logs each refused fetch as "Failed to load resource"; those 403s are the answers this test wants,
    // and logging out aborts the admin's audit stream on purpose.
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of 403/.test(p) && !/^request failed: \S*events\?watch=true\S* net::ERR_ABORTED/.test(p))).toEqual([]);
  });
});
