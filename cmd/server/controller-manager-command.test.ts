// `claw controller-manager` in-process against a real API server that runs no controllers (envtest):
// it authenticates from a kubeconfig like every claw verb, reconciles, and releases its lease on shutdown.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { authPaths } from "../../api/types/auth-api.js";
import type { ApiKeySecret } from "../../api/types/auth-api.js";
import { RestClient } from "../../api/client/rest-client.js";
import type { User } from "../../api/types/user.js";
import { findCondition } from "../../api/machinery/conditions.js";
import { Informer } from "../../controllers/runtime/informer.js";
import { restLeaseClient } from "../../controllers/runtime/lease-client.js";
import { restListWatcher } from "../../controllers/runtime/list-watcher.js";
import { DEFAULT_LEASE_NAME } from "../../controllers/runtime/manager.js";
import { objectUntil } from "../../controllers/runtime/testing/cache-wait.js";
import { deferred } from "../../controllers/runtime/testing/deferred.js";
import { silentLogger } from "../../controllers/runtime/testing/silent-logger.js";
import { systemClock } from "../../api/machinery/clock.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { buildKubeconfig } from "../cli/config/kubeconfig.js";
import { runCli } from "../cli/program.js";
import { CapturedOutput } from "../cli/testing/cli-harness.js";
import { controllerManagerCommand } from "./controller-manager-command.js";

let env: EnvTest;
let client: RestClient;
let dir: string;

beforeAll(async () => {
  env = await startEnvTest();
  client = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  dir = mkdtempSync(join(tmpdir(), "claw-cm-"));
});
afterAll(async () => {
  await client?.close();
  await env?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `claw ARGS` in-process with the controller-manager command mounted; `stop()` plays SIGTERM. */
function claw(args: string[], opts: { env?: Record<string, string> } = {}) {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const shutdown = deferred<string>();
  const deps = { env: opts.env ?? {}, homeDir: dir, stdout: (l: string) => stdout.write(`${l}\n`), stderr: (l: string) => stderr.write(`${l}\n`), shutdown: () => shutdown.promise };
  const done = runCli(args, {
    stdout,
    stderr,
    stdin: (async function* () {})(),
    env: deps.env,
    homeDir: dir,
    serverCommand: (program) => void program.addCommand(controllerManagerCommand(deps)),
  });
  return { stdout, stderr, done, stop: () => shutdown.resolve("SIGTERM") };
}

function kubeconfig(name: string, token: string): string {
  const path = join(dir, name);
  writeFileSync(path, stringify(buildKubeconfig({ server: env.url, token })), { mode: 0o600 });
  return path;
}

describe("claw controller-manager", () => {
  it("reconciles with the credential of a kubeconfig, and releases its lease when told to stop", async () => {
    const run = claw(["controller-manager", "--config", kubeconfig("admin.conf", env.token), "--identity", "cm-test"]);
    await run.stdout.until("running against");
    expect(run.stdout.text).toContain(`claw controller-manager cm-test running against ${env.url} (leader election on)`);
    expect(run.stdout.text).not.toContain("workers");

    const users = new Informer<User>({ source: restListWatcher<User>(client, "users"), clock: systemClock, logger: silentLogger() });
    users.start();
    try {
      await client.create<User>("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "carol" }, spec: { roles: ["nobody-made-this"] } });
      await objectUntil(users, "carol", (u) => findCondition(u?.status?.conditions, "RolesResolved")?.reason === "RoleNotFound");
    } finally {
      await users.stop();
    }
    expect((await restLeaseClient(client).get(DEFAULT_LEASE_NAME))?.spec?.holderIdentity).toBe("cm-test");

    run.stop();
    expect(await run.done).toBe(0);
    expect((await restLeaseClient(client).get(DEFAULT_LEASE_NAME))?.spec?.holderIdentity).toBeUndefined();
  });

  it("refuses a credential that may not run the controllers, saying why (exit 5)", async () => {
    await client.create("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "vic" }, spec: { roles: ["viewer"] } });
    await client.create("apikeys", { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name: "vic-key" }, spec: { displayName: "Viewer key", owner: "vic", scopes: ["*:read,list"] } });
    const minted = await client.requestJson<ApiKeySecret>({ method: "POST", path: authPaths.apiKeySecret("vic-key") });
    const run = claw(["controller-manager", "--server", env.url], { env: { CLAWBERNETES_API_KEY: minted.secret } });
    expect(await run.done).toBe(5);
    expect(run.stderr.text).toContain("error: the credential from CLAWBERNETES_API_KEY cannot run the controllers");
    expect(run.stderr.text).toContain("they need an admin credential (*:*)");
  });

  it("runs the inactive-credentials controllers with --disable-inactive-after-days (and --workers 8): a User unused that long is disabled", async () => {
    const created = await client.create<User>("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "idle" }, spec: { roles: ["viewer"] } });
    const longAgo = new Date(Date.now() - 100 * 86_400_000).toISOString();
    await client.updateStatus<User>("users", { ...created, status: { ...created.status, lastLoginTime: longAgo } });
    const run = claw(["controller-manager", "--config", kubeconfig("admin-inactive.conf", env.token), "--identity", "cm-inactive", "--disable-inactive-after-days", "90", "--workers", "8"]);
    await run.stdout.until("running against");
    expect(run.stdout.text).toContain("(leader election on, 8 workers per controller)");
    const users = new Informer<User>({ source: restListWatcher<User>(client, "users"), clock: systemClock, logger: silentLogger() });
    users.start();
    try {
      await objectUntil(users, "idle", (u) => u?.spec?.disabled === true);
    } finally {
      await users.stop();
      run.stop();
    }
    expect(await run.done).toBe(0);
  });

  it.each([
    ["refuses a --disable-inactive-after-days that is not a number of days (exit 2)", ["controller-manager", "--disable-inactive-after-days", "90d"], 2, "must be a whole number of days from 1 to 3650"],
    ["refuses to start without a credential (exit 4)", ["controller-manager", "--server", "http://127.0.0.1:9"], 4, "error: no credential for http://127.0.0.1:9"],
    ["says which config file is missing (exit 2)", ["controller-manager", "--config", "/nonexistent/admin.conf"], 2, "/nonexistent/admin.conf (from --config) does not exist"],
    ["refuses a --leader-elect that is not a boolean (exit 2)", ["controller-manager", "--leader-elect", "maybe"], 2, '"maybe" is not true or false'],
    ["refuses --workers 0 (exit 2)", ["controller-manager", "--workers", "0"], 2, "must be a whole number from 1 to 256, such as 8"],
    ["refuses --workers past 256 (exit 2)", ["controller-manager", "--workers", "257"], 2, "must be a whole number from 1 to 256"],
    ["refuses a --workers that is not a whole number (exit 2)", ["controller-manager", "--workers", "2.5"], 2, "must be a whole number from 1 to 256"],
    ["refuses a negative --workers (exit 2)", ["controller-manager", "--workers", "-4"], 2, "must be a whole number from 1 to 256"],
  ])("%s", async (_name, args, code, message) => {
    const run = claw(args);
    expect(await run.done).toBe(code);
    expect(run.stderr.text).toContain(message);
  });
});
