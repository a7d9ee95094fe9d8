// `claw server` (runServer in-process) with [auth] settings: a bad JWT secret stops it from starting.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jwtVerify } from "jose";
import pino from "pino";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { runServer } from "../../cmd/server/run-server.js";
import type { ServerConfig } from "../../cmd/server/server-config.js";
import { authPaths } from "../types/auth-api.js";

const home = mkdtempSync(join(tmpdir(), "claw-auth-start-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const config = (name: string, auth: unknown): ServerConfig => ({
  listen: { host: "127.0.0.1", port: 0 },
  dataDir: join(home, name),
  etcdEndpoints: [],
  maxRequestBytes: 3 * 1024 * 1024,
  sections: { auth, tls: { enabled: false } },
});
const start = (name: string, auth: unknown, env: NodeJS.ProcessEnv) => runServer({ config: config(name, auth), logger: pino({ level: "silent" }), announce: () => {}, env });

describe("claw server with [auth.jwt]", () => {
  it.each([
    ["the variable is not set", {}, "secret_env names CLAW_TEST_JWT, which is not set"],
    ["the secret is too short", { CLAW_TEST_JWT: "too short" }, "is 9 bytes; it must be at least 32"],
  ])("refuses to start when %s", async (_name, env, message) => {
    await expect(start(`bad-${Object.keys(env).length}`, { jwt: { secret_env: "CLAW_TEST_JWT" } }, env)).rejects.toThrow(message);
  });

  it("signs sessions with the secret from the environment and writes the bootstrap key to admin.conf", async () => {
    const secret = "k".repeat(40);
    const running = await start("good", { jwt: { secret_env: "CLAW_TEST_JWT", issuer: "claw-start-test" } }, { CLAW_TEST_JWT: secret });
    try {
      const kubeconfig = YAML.parse(readFileSync(running.adminConfigPath, "utf8")) as { users: { user: { token: string } }[] };
      const token = kubeconfig.users[0]!.user.token;
      expect(token).toMatch(/^clk_/);
      const post = (path: string, body: unknown, auth?: string) =>
        fetch(running.url + path, { method: "POST", headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) }, body: JSON.stringify(body) });
      expect((await post(authPaths.userPassword("admin"), { password: "a long admin password" }, token)).status).toBe(200);
      const session = (await (await post(authPaths.login, { username: "admin", password: "a long admin password" })).json()) as { token: string };
      const { payload } = await jwtVerify(session.token, new TextEncoder().encode(secret), { issuer: "claw-start-test" });
      expect(payload.sub).toBe("admin");
    } finally {
      await running.stop();
    }
  });
});
