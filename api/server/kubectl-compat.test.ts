// kubectl 1.32 itself against discovery, OpenAPI and Table output built by this folder (skipped without kubectl).
// The server here is a stand-in that serves only those documents and echoes creates; it is not the API server.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../machinery/meta.js";
import { loadCrdRegistry } from "../schema/crd-registry.js";
import { answerDiscovery } from "./discovery.js";
import { answerOpenApi, buildOpenApi } from "./openapi.js";
import { parseTableAccept, toTable } from "./table.js";

const KUBECTL = "/usr/bin/kubectl";
const NOW = Date.parse("2026-01-01T12:00:00Z");
const registry = loadCrdRegistry();
const docs = buildOpenApi(registry.all());

const objects: Record<string, KubeObject[]> = {
  roles: [
    {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "Role",
      metadata: { name: "ml-team", uid: "u1", resourceVersion: "5", creationTimestamp: "2026-01-01T07:00:00Z", labels: { team: "ml" } },
      spec: { description: "ML team member", permissions: ["workloads:*"] },
      status: { conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "", lastTransitionTime: "2026-01-01T07:00:00Z" }] },
    },
  ],
};

const requests: string[] = [];
let server: Server;
let workDir: string;
let base: string;

function handle(method: string, url: URL, accept: string | undefined, body: string): { status: number; headers: Record<string, string>; body?: string } {
  const answer =
    answerDiscovery({ resources: registry.all(), path: url.pathname, accept }) ??
    answerOpenApi({ docs, path: url.pathname, query: url.searchParams, accept });
  if (answer) return answer;
  const json = (status: number, value: unknown) => ({ status, headers: { "Content-Type": "application/json" }, body: JSON.stringify(value) });
  if (url.pathname === "/version") return json(200, { major: "1", minor: "32", gitVersion: "v1.32.0" });
  const m = /^\/apis\/[^/]+\/[^/]+\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
  const info = m ? registry.byPlural(m[1]!) : undefined;
  if (!m || !info) return json(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" });
  if (method === "POST") return json(201, { ...(JSON.parse(body) as object), metadata: { name: "created", resourceVersion: "9", creationTimestamp: "2026-01-01T11:59:00Z" } });
  const items = (objects[info.plural] ?? []).filter((o) => m[2] === undefined || o.metadata.name === m[2]);
  const table = parseTableAccept(accept ?? "");
  if (table) return json(200, { ...toTable(info, items, { includeObject: "Metadata", now: NOW, apiVersion: table.apiVersion }), metadata: { resourceVersion: "9" } });
  return json(200, m[2] ? items[0] : { apiVersion: `${info.group}/${info.version}`, kind: info.listKind, metadata: { resourceVersion: "9" }, items });
}

function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, [`--server=${base}`, `--cache-dir=${join(workDir, "cache")}`, "--kubeconfig=/dev/null", ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err ? (typeof err.code === "number" ? err.code : 1) : 0 }),
    );
  });
}

describe.skipIf(!existsSync(KUBECTL))("kubectl against our discovery, OpenAPI and Tables", () => {
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "claw-kubectl-"));
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://localhost");
        requests.push(`${req.method} ${url.pathname}${url.search}`);
        const a = handle(req.method ?? "GET", url, req.headers.accept, body);
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("lists every kind with its short names in api-resources, from aggregated discovery", async () => {
    const r = await kubectl("api-resources", "--api-group=security.clawbernetes.com", "--no-headers");
    expect(r.stderr).toBe("");
    const names = r.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]);
    expect(names.sort()).toEqual(registry.all().filter((i) => i.group === "security.clawbernetes.com").map((i) => i.plural).sort());
    expect(r.stdout).toMatch(/^roles\s+rl\s+security\.clawbernetes\.com\/v1\s+false\s+Role$/m);
    expect(requests.some((q) => q.startsWith("GET /apis/security.clawbernetes.com/v1"))).toBe(false);
  });

  it("prints the printer columns of a Table, resolving a short name", async () => {
    const r = await kubectl("get", "rl");
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")[0]).toMatch(/^NAME\s+DESCRIPTION\s+PERMISSIONS\s+READY\s+AGE$/);
    expect(r.stdout).toMatch(/^ml-team\s+ML team member\s+\[workloads:\*\]\s+True\s+5h$/m);
  });

  it("explains a field from the OpenAPI v3 document", async () => {
    const r = await kubectl("explain", "roles.spec.permissions");
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("KIND:       Role");
    expect(r.stdout).toContain("FIELD: permissions <[]string>");
  });

  it("sends fieldValidation=Strict on create, having found the parameter in OpenAPI v3 (no /openapi/v2 download)", async () => {
    const file = join(workDir, "role.yaml");
    writeFileSync(file, "apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata:\n  name: created\nspec:\n  permissions: ['nodes:read']\n");
    const r = await kubectl("create", "-f", file);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("role.security.clawbernetes.com/created created");
    expect(requests).toContainEqual(expect.stringMatching(/^POST \/apis\/security\.clawbernetes\.com\/v1\/roles\?.*fieldValidation=Strict/));
    expect(requests.some((q) => q.startsWith("GET /openapi/v2"))).toBe(false);
  });
});
