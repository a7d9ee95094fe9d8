// kubectl v1.32 and @kubernetes/client-node sending list, watch and write options as they do against
// Kubernetes: the server reads every query parameter as kube-apiserver does.

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CustomObjectsApi, KubeConfig, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireTool } from "../hack/testing/required-tool.js";
import { caTemplate, issue, leafTemplate } from "../api/pki/testing/pki-fixtures.js";
import { buildKubeconfig, serializeKubeconfig } from "../cmd/cli/config/kubeconfig.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const kubectl = requireTool("kubectl", "install kubectl v1.32 (it is at /usr/bin/kubectl on claw's CI machines)");
const run = promisify(execFile);
const GROUP = "security.clawbernetes.com";
const ROLES = `/apis/${GROUP}/v1/roles`;
const role = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: `${GROUP}/v1`, kind: "Role", metadata: { name }, spec: { permissions: ["nodes:read"], ...spec } });

let env: EnvTest;
let home: string;
let kubeconfig: string;
let kc: KubeConfig;
let tls: Server;
beforeAll(async () => {
  env = await startEnvTest();
  home = mkdtempSync(join(tmpdir(), "claw-query-clients-"));
  // kubectl sends no token over plain http, so it reaches the same server through TLS, as it does `claw server`.
  const ca = issue({ algorithm: "ECDSA" }, caTemplate("query-clients CA"));
  const serving = issue({ algorithm: "ECDSA" }, leafTemplate({ subject: { commonName: "localhost" }, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }), ca);
  const certs = { caPem: ca.certificatePem };
  tls = createServer({ cert: serving.certificatePem, key: serving.privateKeyPem }, (req, res) => void env.server.handle(req, res));
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  const httpsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  kubeconfig = join(home, "kubeconfig");
  const caData = Buffer.from(certs.caPem).toString("base64");
  writeFileSync(kubeconfig, serializeKubeconfig(buildKubeconfig({ server: httpsUrl, token: env.token, cluster: { "certificate-authority-data": caData } })), { mode: 0o600 });
  // What `claw config kubeconfig` prints; client-node takes plain http (envtest's) only with skip-verify set.
  kc = new KubeConfig();
  kc.loadFromString(serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token, cluster: { "insecure-skip-tls-verify": true } })));
  for (const name of ["qc-a", "qc-b", "qc-c"]) expect((await env.request(ROLES, { method: "POST", json: role(name) })).status).toBe(201);
});
afterAll(async () => {
  tls?.closeAllConnections();
  await new Promise<void>((resolve) => (tls ? tls.close(() => resolve()) : resolve()));
  await env?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const kubectlArgs = (args: string[]) => [...args, "--kubeconfig", kubeconfig, "--cache-dir", join(home, "cache")];
const kc$ = async (...args: string[]) => (await run(kubectl.available ? kubectl.path : "kubectl", kubectlArgs(args), { timeout: 30_000 })).stdout;

/** kubectl with `input` on stdin; resolves with its exit code and output (the server runs in this process, so never a sync spawn). */
function kcIn(input: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(kubectl.available ? kubectl.path : "kubectl", kubectlArgs(args));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(!kubectl.available)("kubectl", () => {
  it("pages a list with --chunk-size (limit and continue)", async () => {
    const out = await kc$("get", "roles", "--chunk-size=1", "-o", "name");
    for (const name of ["qc-a", "qc-b", "qc-c"]) expect(out).toContain(`role.${GROUP}/${name}`);
  });

  it("lists with the largest int64 limit through --raw", async () => {
    const list = JSON.parse(await kc$("get", "--raw", `${ROLES}?limit=9223372036854775807`)) as { kind: string; items: unknown[] };
    expect(list.kind).toBe("RoleList");
    expect(list.items.length).toBeGreaterThanOrEqual(3);
  });

  it("watches through --raw with watch=True, as kube-apiserver does", async () => {
    const out = await kc$("get", "--raw", `${ROLES}?watch=True&timeoutSeconds=1`);
    const events = out.trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.every((e) => e.type === "ADDED")).toBe(true);
  });

  it("creates on the server as a dry run (dryRun=All), storing nothing", async () => {
    const { code, stdout } = await kcIn(JSON.stringify(role("qc-dry")), "create", "-f", "-", "--dry-run=server");
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: `role.${GROUP}/qc-dry created (server dry run)` });
    expect((await env.request(`${ROLES}/qc-dry`)).status).toBe(404);
  });

  it("refuses an unknown field with --validate=strict (fieldValidation=Strict)", async () => {
    const { code, stderr } = await kcIn(JSON.stringify(role("qc-strict", { colour: "red" })), "create", "-f", "-", "--validate=strict");
    expect(code).not.toBe(0);
    expect(stderr).toContain('unknown field "spec.colour"');
  });

  it("applies server-side with --force-conflicts (force=true)", async () => {
    const { code } = await kcIn(JSON.stringify(role("qc-a", { description: "forced" })), "apply", "--server-side", "--force-conflicts", "-f", "-");
    expect(code).toBe(0);
    expect(((await (await env.request(`${ROLES}/qc-a`)).json()) as { spec: { description: string } }).spec.description).toBe("forced");
  });

  it("deletes with --cascade=foreground (a propagationPolicy in DeleteOptions)", async () => {
    expect((await env.request(ROLES, { method: "POST", json: role("qc-gone") })).status).toBe(201);
    expect(await kc$("delete", "role", "qc-gone", "--cascade=foreground")).toContain(`role.${GROUP} "qc-gone" deleted`);
  });
});

describe("@kubernetes/client-node", () => {
  it("watches with allowWatchBookmarks and sees an object created after the watch began", async () => {
    const list = (await (await env.request(ROLES)).json()) as { metadata: { resourceVersion: string } };
    let stop = () => {};
    const seen = new Promise<{ type: string; name: string }>((resolve, reject) => {
      void new Watch(kc)
        .watch(ROLES, { allowWatchBookmarks: true, resourceVersion: list.metadata.resourceVersion }, (type, object: { metadata: { name: string } }) => {
          if (type !== "BOOKMARK") resolve({ type, name: object.metadata.name });
        }, (err: unknown) => (err ? reject(err as Error) : undefined))
        .then((controller) => (stop = () => controller.abort()));
    });
    expect((await env.request(ROLES, { method: "POST", json: role("qc-watched") })).status).toBe(201);
    expect(await seen).toEqual({ type: "ADDED", name: "qc-watched" });
    stop();
  });

  it("lists page by page with limit and continue, allowWatchBookmarks set as informers set it", async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = (await api.listClusterCustomObject({ group: GROUP, version: "v1", plural: "roles", limit: 1, allowWatchBookmarks: true, ...(token ? { _continue: token } : {}) })) as {
        items: { metadata: { name: string } }[];
        metadata: { continue?: string };
      };
      expect(page.items.length).toBeLessThanOrEqual(1);
      names.push(...page.items.map((i) => i.metadata.name));
      token = page.metadata.continue;
    } while (token);
    expect(names).toEqual(expect.arrayContaining(["qc-a", "qc-b", "qc-c"]));
  });
});
