// `claw status` and the guide's plain REST paths (`/api/nodes`) against a real `claw server` in-process (runServer,
// TLS, the embedded store, the in-process controllers): the admin sees every section, a credential holding only
// blockrules:list sees only that one; the aliases authenticate and authorize exactly as the real list; kubectl's
// discovery still works beside them.

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { authPaths, SECURITY_API, type ApiKeySecret } from "../../api/types/auth-api.js";
import { clusterStatusPath, isPermitted, type ClusterStatus } from "../../api/types/cluster-status-api.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../../hack/testing/https-call.js";
import { requireTool } from "../../hack/testing/required-tool.js";
import { CliHarness } from "../cli/testing/cli-harness.js";
import { runServer, type RunningServer } from "./run-server.js";

const kubectl = requireTool("kubectl", "install kubectl v1.32 (it is at /usr/bin/kubectl on claw's CI machines)");
const SECRET_VALUE = "status-test-value-9f8e7d6c5b4a";

let server: RunningServer;
let dir: string;
let cli: CliHarness;
let admin: HttpsClient;
/** Secrets of keys whose owners hold only: blockrules:list; nodes:list + nodes:read; nothing. */
const keys: Record<"blockRulesOnly" | "nodeReader" | "nothing", string> = { blockRulesOnly: "", nodeReader: "", nothing: "" };

interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

/** One HTTPS request trusting the server's CA, with whatever headers the case sends (X-API-Key, Bearer, none). */
function call<T = Record<string, unknown>>(path: string, init: { method?: string; headers?: Record<string, string>; json?: unknown } = {}): Promise<Answer<T>> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { method: init.method ?? "GET", ca: admin.ca, agent: false, headers: { ...(init.json !== undefined ? { "Content-Type": "application/json" } : {}), ...init.headers } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, body: (text.startsWith("{") ? JSON.parse(text) : undefined) as T }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.json !== undefined ? JSON.stringify(init.json) : undefined);
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const asAdmin = (path: string, init: { method?: string; json?: unknown } = {}) => call(path, { ...init, headers: bearer(admin.token!) });

async function created(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await asAdmin(path, { method: "POST", json: body });
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
  return res.body;
}

const object = (kind: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: "security.clawbernetes.com/v1", kind, metadata: { name }, spec });

/** A user holding a role of exactly these permissions, and the secret of a key of theirs with the same scopes. */
async function keyHolding(user: string, permissions: string[]): Promise<string> {
  if (permissions.length > 0) await created(`${SECURITY_API}/roles`, object("Role", `${user}-role`, { permissions }));
  await created(`${SECURITY_API}/users`, object("User", user, { roles: permissions.length > 0 ? [`${user}-role`] : [] }));
  await created(`${SECURITY_API}/apikeys`, object("ApiKey", `${user}-key`, { displayName: `${user} key`, owner: user, scopes: permissions.length > 0 ? permissions : ["*:*"] }));
  const minted = (await asAdmin(authPaths.apiKeySecret(`${user}-key`), { method: "POST" })).body as unknown as ApiKeySecret;
  return minted.secret;
}

const statusAs = async (headers: Record<string, string>) => (await call<ClusterStatus>(clusterStatusPath, { headers })).body;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claw-status-"));
  server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: {} }, logger: pino({ level: "silent" }), announce: () => {} });
  admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
  cli = await CliHarness.create();
  mkdirSync(join(cli.homeDir, ".claw"), { recursive: true });
  writeFileSync(join(cli.homeDir, ".claw", "config"), readFileSync(server.adminConfigPath, "utf8"), { mode: 0o600 });
  keys.blockRulesOnly = await keyHolding("blocklister", ["blockrules:list"]);
  keys.nodeReader = await keyHolding("nodereader", ["nodes:list", "nodes:read"]);
  keys.nothing = await keyHolding("nobody", []);
  await created(`${SECURITY_API}/nodes`, object("Node", "gpu-1", {}));
  await created(`${SECURITY_API}/blockrules`, object("BlockRule", "block-203-0-113-7", { cidr: "203.0.113.7/32", reason: "status test" }));
  await created(`${SECURITY_API}/secrets`, object("Secret", "db-password", { valueFrom: { value: SECRET_VALUE } }));
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await cli?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("GET clusterstatus", () => {
  it("computes every section for the admin: this server healthy, the store, readiness per kind, nodes, BlockRules, the audit head", async () => {
    const status = await statusAs(bearer(admin.token!));
    expect(status.kind).toBe("ClusterStatus");
    if (!isPermitted(status.servers) || !isPermitted(status.store) || !isPermitted(status.nodes) || !isPermitted(status.blockRules) || !isPermitted(status.audit)) throw new Error(`a section was refused to the admin: ${JSON.stringify(status)}`);
    expect(status.servers.items[0]).toMatchObject({ self: true, health: "healthy", url: server.url, version: expect.stringMatching(/^v1\.32\.0-claw\./) });
    expect(status.store).toMatchObject({ backend: "sqlite", healthy: true, pingMs: expect.any(Number) });
    expect(status.resources.notPermitted).toEqual([]);
    expect(status.resources.items.map((k) => k.kind)).toEqual(expect.arrayContaining(["Role", "User", "ApiKey", "Secret", "SecretPolicy", "BlockRule", "Certificate", "Node"]));
    expect(status.resources.items.find((k) => k.kind === "Role")!.total).toBeGreaterThanOrEqual(4);
    expect(status.nodes).toMatchObject({ connected: 0, total: 1 });
    expect(status.blockRules.total).toBe(1);
    expect(status.audit.headSeq).toBeGreaterThan(0);
    expect(status.audit.export).toBeUndefined();
    expect(JSON.stringify(status)).not.toContain(SECRET_VALUE);
    console.log(`store ping measured by the status endpoint: ${status.store.pingMs} ms`);
  });

  it("names the in-process controller manager as leader, under this server's ID, once it holds the Lease", async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await statusAs(bearer(admin.token!));
      if (isPermitted(status.controllers) && status.controllers.leader) {
        expect(status.controllers).toMatchObject({ lease: "claw-controller-manager", current: true });
        expect(isPermitted(status.servers) && status.servers.items.find((s) => s.self)?.id).toBe(status.controllers.leader);
        return;
      }
      if (Date.now() > deadline) throw new Error(`no controller leader: ${JSON.stringify(status.controllers)}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  });

  it("shows a caller holding only blockrules:list that section and marks every other one not permitted", async () => {
    const status = await statusAs({ "X-API-Key": keys.blockRulesOnly });
    expect(status.blockRules).toEqual({ permitted: true, active: expect.any(Number), total: 1 });
    expect(status.resources.items.map((k) => k.kind)).toEqual(["BlockRule"]);
    expect(status.resources.notPermitted).toEqual(["apikeys", "certificates", "nodes", "roles", "secretpolicies", "secrets", "users"]);
    const refused = { servers: "metrics:read", store: "metrics:read", controllers: "*:admin", nodes: "nodes:list", certificates: "certificates:list", apiKeys: "apikeys:list", audit: "audit:read" } as const;
    for (const [name, needs] of Object.entries(refused)) expect(status[name as keyof typeof refused]).toEqual({ permitted: false, needs });
  });

  it("shows a caller holding nothing no section at all", async () => {
    const status = await statusAs(bearer(keys.nothing));
    expect(status.resources.items).toEqual([]);
    expect(["servers", "store", "controllers", "nodes", "certificates", "apiKeys", "blockRules", "audit"].filter((s) => (status[s as keyof ClusterStatus] as { permitted: boolean }).permitted)).toEqual([]);
  });

  it("answers 401 without a credential", async () => {
    expect((await call(clusterStatusPath)).status).toBe(401);
  });
});

describe("claw status", () => {
  const cases: { name: string; args: string[]; code: number; stdout?: RegExp[]; stderr?: RegExp }[] = [
    {
      name: "prints the summary table",
      args: ["status"],
      code: 0,
      stdout: [/^Servers: 1 healthy of 1 /m, /\(this\)\s+v1\.32\.0-claw\.\S+\s+https:\/\/127\.0\.0\.1:\d+\s+\S+\s+\S+\s+HEALTHY/, /^Store: sqlite, healthy, ping [\d.]+ms, revision \d+$/m, /^Controller leader: \S+ \(server https:\/\/127\.0\.0\.1:\d+, this one\), renewed /m, /^\s+KIND\s+TOTAL\s+TRUE\s+FALSE\s+UNKNOWN$/m, /^\s+Node\s+1\s+0\s+0\s+1$/m, /^Nodes: 0 connected of 1$/m, /^BlockRules: \d active of 1$/m, /^Audit: head seq \d+; SIEM export off$/m],
    },
    { name: "refuses an unknown output format with a usage error", args: ["status", "-o", "xml"], code: 2, stderr: /unknown output format "xml"; use table, json or yaml/ },
    { name: "refuses an unknown flag", args: ["status", "--watch"], code: 2, stderr: /unknown option '--watch'/ },
    { name: "exits 3 when the server cannot be reached", args: ["--server", "https://127.0.0.1:1", "status"], code: 3 },
  ];
  it.each(cases)("$name", async ({ args, code, stdout, stderr }) => {
    const run = await cli.run(args);
    expect(run.code, run.stderr).toBe(code);
    for (const pattern of stdout ?? []) expect(run.stdout).toMatch(pattern);
    if (stderr) expect(run.stderr).toMatch(stderr);
  });

  it("-o json gives the ClusterStatus object", async () => {
    const run = await cli.run(["status", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as ClusterStatus;
    expect(status.kind).toBe("ClusterStatus");
    expect(isPermitted(status.store) && status.store.backend).toBe("sqlite");
  });

  it("-o yaml gives the same object", async () => {
    const run = await cli.run(["status", "-o", "yaml"]);
    expect(run.code, run.stderr).toBe(0);
    expect((parseYaml(run.stdout) as ClusterStatus).kind).toBe("ClusterStatus");
  });

  it("says which permission a refused section needs", async () => {
    const run = await cli.run(["status"], { env: { CLAWBERNETES_API_KEY: keys.blockRulesOnly } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Servers: not permitted \(needs metrics:read\)$/m);
    expect(run.stdout).toMatch(/^Controller leader: not permitted \(needs \*:admin\)$/m);
    expect(run.stdout).toMatch(/^BlockRules: \d active of 1$/m);
  });
});

describe("the guide's plain REST paths", () => {
  const cases: { name: string; path: string; method?: string; headers: () => Record<string, string>; status: number; check?: (a: Answer<Record<string, unknown>>) => void }[] = [
    { name: "GET /api/nodes with X-API-Key lists the nodes", path: "/api/nodes", headers: () => ({ "X-API-Key": keys.nodeReader }), status: 200, check: (a) => expect(a.body).toMatchObject({ kind: "NodeList", items: [expect.objectContaining({ metadata: expect.objectContaining({ name: "gpu-1" }) })] }) },
    { name: "GET /api/nodes with Authorization: Bearer lists the nodes", path: "/api/nodes", headers: () => bearer(keys.nodeReader), status: 200, check: (a) => expect(a.body.kind).toBe("NodeList") },
    { name: "GET /api/nodes/{name} gets one node", path: "/api/nodes/gpu-1", headers: () => bearer(keys.nodeReader), status: 200, check: (a) => expect(a.body).toMatchObject({ kind: "Node", metadata: { name: "gpu-1" } }) },
    { name: "GET /api/nodes without a credential is 401", path: "/api/nodes", headers: () => ({}), status: 401 },
    { name: "GET /api/nodes with a key lacking nodes:list is 403, naming the permission", path: "/api/nodes", headers: () => ({ "X-API-Key": keys.blockRulesOnly }), status: 403, check: (a) => expect(a.text).toContain("nodes") },
    { name: "GET /api/nodes/{name} with a key lacking nodes:read is 403", path: "/api/nodes/gpu-1", headers: () => ({ "X-API-Key": keys.blockRulesOnly }), status: 403 },
    { name: "GET /api/blockrules lists BlockRules for a key holding blockrules:list", path: "/api/blockrules", headers: () => ({ "X-API-Key": keys.blockRulesOnly }), status: 200, check: (a) => expect(a.body.kind).toBe("BlockRuleList") },
    { name: "POST /api/nodes is 405, pointing at the real path", path: "/api/nodes", method: "POST", headers: () => bearer(admin.token!), status: 405, check: (a) => expect(a.text).toContain("/apis/security.clawbernetes.com/v1/nodes") },
    { name: "DELETE /api/nodes/{name} is 405 for the admin too", path: "/api/nodes/gpu-1", method: "DELETE", headers: () => bearer(admin.token!), status: 405 },
    { name: "POST /api/nodes without a credential is 401 before anything else", path: "/api/nodes", method: "POST", headers: () => ({}), status: 401 },
    { name: "GET /api/secrets lists secrets without their values", path: "/api/secrets", headers: () => bearer(admin.token!), status: 200, check: (a) => expect(a.text).not.toContain(SECRET_VALUE) },
    { name: "GET /api/secrets/{name} shows no value either", path: "/api/secrets/db-password", headers: () => bearer(admin.token!), status: 200, check: (a) => expect(a.text).not.toContain(SECRET_VALUE) },
    { name: "GET /api still answers kubectl's core discovery", path: "/api", headers: () => bearer(admin.token!), status: 200, check: (a) => expect(a.body.kind).toBe("APIVersions") },
    { name: "GET /api/v1 is still not a path the server answers", path: "/api/v1", headers: () => bearer(admin.token!), status: 404 },
  ];
  it.each(cases)("$name", async ({ path, method, headers, status, check }) => {
    const answer = await call(path, { ...(method ? { method } : {}), headers: headers(), ...(method === "POST" ? { json: object("Node", "gpu-2", {}) } : {}) });
    expect(answer.status, answer.text).toBe(status);
    check?.(answer);
  });

  it("answers the alias exactly as the real list", async () => {
    const alias = await call<{ items: unknown[] }>("/api/nodes", { headers: bearer(keys.nodeReader) });
    const real = await call<{ items: unknown[] }>(`${SECURITY_API}/nodes`, { headers: bearer(keys.nodeReader) });
    expect(alias.body.items).toEqual(real.body.items);
  });
});

describe("with [audit.export] on and the SIEM unreachable", () => {
  let exporting: RunningServer;
  let exportDir: string;
  beforeAll(async () => {
    exportDir = mkdtempSync(join(tmpdir(), "claw-status-export-"));
    const sections = { audit: { export: { enabled: true, endpoint: "https://127.0.0.1:9/ingest" } } };
    exporting = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(exportDir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections }, logger: pino({ level: "silent" }), announce: () => {}, controllers: false });
  }, 60_000);
  afterAll(async () => {
    await exporting?.stop();
    if (exportDir) rmSync(exportDir, { recursive: true, force: true });
  });

  it("reports the SIEM lag as the head seq minus what the SIEM acknowledged", async () => {
    const conf = adminConfOf(readFileSync(exporting.adminConfigPath, "utf8"), parseYaml);
    const res = await httpsCall<ClusterStatus>(exporting.url, clusterStatusPath, conf);
    if (!isPermitted(res.body.audit)) throw new Error("the admin was refused the audit section");
    const { headSeq, export: shipped } = res.body.audit;
    expect(headSeq).toBeGreaterThan(0);
    expect(shipped).toMatchObject({ cursorSeq: 0, lag: headSeq });
  });
});

describe.skipIf(!kubectl.available)("kubectl beside the aliases", () => {
  const run = promisify(execFile);
  const kc = async (...args: string[]) => (await run(kubectl.available ? kubectl.path : "kubectl", [...args, "--kubeconfig", server.adminConfigPath, "--cache-dir", join(dir, "kube-cache")], { timeout: 30_000 })).stdout;

  it("still discovers the security group's kinds", async () => {
    const out = await kc("api-resources", "--api-group=security.clawbernetes.com");
    expect(out).toMatch(/nodes\s+.*security\.clawbernetes\.com\/v1\s+false\s+Node/);
  });

  it("reads /api/nodes raw with the same credential", async () => {
    expect(JSON.parse(await kc("get", "--raw", "/api/nodes"))).toMatchObject({ kind: "NodeList" });
  });
});
