// `claw server` with its in-process controller manager (the default) and without it (--controllers=false).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { resolveClientConfig } from "../cli/config/client-config.js";
import { systemClock } from "../../api/machinery/clock.js";
import { RestClient } from "../../api/client/rest-client.js";
import { authPaths, type ApiKeySecret } from "../../api/types/auth-api.js";
import type { User } from "../../api/types/user.js";
import { findCondition } from "../../api/machinery/conditions.js";
import { Informer } from "../../controllers/runtime/informer.js";
import { restLeaseClient } from "../../controllers/runtime/lease-client.js";
import { restListWatcher } from "../../controllers/runtime/list-watcher.js";
import { DEFAULT_LEASE_NAME } from "../../controllers/runtime/manager.js";
import { objectUntil } from "../../controllers/runtime/testing/cache-wait.js";
import { silentLogger } from "../../controllers/runtime/testing/silent-logger.js";
import { adminClient } from "../../hack/testing/admin-client.js";
import { CONTROLLER_RULES, inProcessCredential } from "./controllers.js";
import { runServer, type RunningServer } from "./run-server.js";
import type { ServerConfig } from "./server-config.js";

const bytes = (fill: number) => (n: number) => new Uint8Array(n).fill(fill);
const req = {} as IncomingMessage;

describe("inProcessCredential", () => {
  const access = inProcessCredential({ randomBytes: bytes(7) });

  it("recognises its own secret as the controllers' system identity, which no user can disable", async () => {
    expect(await access.authenticator.authenticate({ secret: access.credential.value, source: "bearer" }, req)).toMatchObject({ name: "system:controller-manager", system: { rules: CONTROLLER_RULES } });
  });

  it.each([
    ["leaves an API key to the next authenticator", "clk_abc"],
    ["leaves a JWT to the next authenticator", "eyJhbGciOiJIUzI1NiJ9.e30.x"],
  ])("%s", async (_name, secret) => {
    expect(await access.authenticator.authenticate({ secret, source: "bearer" }, req)).toBeUndefined();
  });

  it("leaves a request without a credential to the next authenticator", async () => {
    expect(await access.authenticator.authenticate(undefined, req)).toBeUndefined();
  });

  it("refuses another process's secret with 401", async () => {
    const other = inProcessCredential({ randomBytes: bytes(9) });
    await expect(access.authenticator.authenticate({ secret: other.credential.value, source: "bearer" }, req)).rejects.toMatchObject({ code: 401 });
  });

  it("makes a different secret each time", () => {
    expect(inProcessCredential({ randomBytes: bytes(1) }).credential.value).not.toBe(inProcessCredential({ randomBytes: bytes(2) }).credential.value);
  });
});

describe("runServer and its controllers", () => {
  let dataDir = "";
  let running: RunningServer | undefined;
  let client: RestClient | undefined;
  afterEach(async () => {
    await client?.close();
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    client = undefined;
    running = undefined;
  });

  async function start(controllers?: boolean, sections: Record<string, unknown> = {}): Promise<{ running: RunningServer; client: RestClient }> {
    dataDir = mkdtempSync(join(tmpdir(), "claw-server-ctl-"));
    const config: ServerConfig = { listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: [], maxRequestBytes: 3 * 1024 * 1024, sections };
    running = await runServer({ config, logger: silentLogger(), announce: () => {}, ...(controllers !== undefined ? { controllers } : {}) });
    client = await adminClient(running.adminConfigPath);
    return { running, client };
  }

  /** Creates a User naming a role no one made, through `as`, and waits until the users controller has said so. */
  async function userReconciled(as: RestClient, name: string): Promise<void> {
    const users = new Informer<User>({ source: restListWatcher<User>(as, "users"), clock: systemClock, logger: silentLogger() });
    users.start();
    try {
      await as.create<User>("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name }, spec: { roles: ["ghost"] } });
      await objectUntil(users, name, (u) => findCondition(u?.status?.conditions, "RolesResolved")?.reason === "RoleNotFound");
    } finally {
      await users.stop();
    }
  }

  async function metricsText(server: RunningServer): Promise<string> {
    const resolved = await resolveClientConfig({ flags: { config: server.adminConfigPath }, env: {}, homeDir: "/nonexistent" });
    const dispatcher = new Agent({ connect: { ...(resolved.tls.ca ? { ca: resolved.tls.ca } : {}) } });
    try {
      const response = await request(`${server.url}/metrics`, { dispatcher, headers: { authorization: `Bearer ${resolved.credential?.value ?? ""}` } });
      expect(response.statusCode).toBe(200);
      return await response.body.text();
    } finally {
      await dispatcher.close();
    }
  }

  it("runs the controllers in-process over HTTPS by default, and serves their metrics on the same /metrics", async () => {
    const { running: server, client: admin } = await start();
    await userReconciled(admin, "dave");
    expect((await restLeaseClient(admin).get(DEFAULT_LEASE_NAME))?.spec?.holderIdentity).toMatch(/_/);
    const metrics = await metricsText(server);
    expect(metrics).toContain('claw_leader_election_master_status{lease="claw-controller-manager"} 1');
    expect(metrics).toMatch(/claw_controller_reconcile_total\{controller="users",result="success"\} [1-9]/);
    expect(metrics).toContain("claw_apiserver_requests_total");
    expect(metrics).toContain('claw_controller_max_concurrent_reconciles{controller="users"} 2');
  });

  it("runs every controller with [controllers] workers, as /metrics shows", async () => {
    const { running: server, client: admin } = await start(undefined, { controllers: { workers: 6 } });
    await userReconciled(admin, "frank");
    const metrics = await metricsText(server);
    const workers = [...metrics.matchAll(/^claw_controller_max_concurrent_reconciles\{controller="([^"]+)"\} (\d+)$/gm)].map(([, name, n]) => [name, Number(n)]);
    expect(workers.map(([name]) => name)).toEqual(expect.arrayContaining(["roles", "users", "apikeys", "secrets", "secretpolicies", "blockrules"]));
    expect(workers.every(([, n]) => n === 6)).toBe(true);
  });

  it("refuses to start with a [controllers] workers out of range, saying what is allowed", async () => {
    await expect(start(undefined, { controllers: { workers: 0 } })).rejects.toThrow("[controllers] workers must be a whole number from 1 to 256");
  });

  it("keeps reconciling after user admin is disabled: the controllers are not admin", async () => {
    const { running: server, client: admin } = await start();
    await admin.create<User>("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "root2" }, spec: { roles: ["admin"] } });
    await admin.create("apikeys", { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name: "root2-key" }, spec: { displayName: "root2", owner: "root2", scopes: ["*:*"] } });
    const minted = await admin.requestJson<ApiKeySecret>({ method: "POST", path: authPaths.apiKeySecret("root2-key") });
    const root2 = new RestClient({ server: server.url, tls: (await resolveClientConfig({ flags: { config: server.adminConfigPath }, env: {}, homeDir: "/nonexistent" })).tls, credential: { type: "token", value: minted.secret } });
    try {
      await root2.patch("users", "admin", { spec: { disabled: true } }, { type: "merge" });
      await expect(admin.get("users", "admin")).rejects.toMatchObject({ code: 401 });
      await userReconciled(root2, "erin");
    } finally {
      await root2.close();
    }
  });

  it("runs only the API server with --controllers=false", async () => {
    const { running: server, client: admin } = await start(false);
    expect(await restLeaseClient(admin).get(DEFAULT_LEASE_NAME)).toBeUndefined();
    const metrics = await metricsText(server);
    expect(metrics).not.toContain("claw_workqueue_depth");
    expect(metrics).toContain("claw_apiserver_requests_total");
  });
});
