// On etcd too, a secret value written through the API never reaches a byte of etcd's data directory
// (its WAL and snapshots hold only what claw sent: the sealed form), and the JWT signing secret is sealed.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireEtcd } from "../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../hack/etcd/etcd-server.js";
import { openEtcdStore } from "../api/store/etcd-store.js";
import { JWT_SECRET_KEY } from "../api/auth/jwt-secret.js";
import { SECURITY_API } from "../api/types/auth-api.js";
import { secretsPaths } from "../api/types/secrets-api.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const etcd = requireEtcd();

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe.skipIf(!etcd.available)("secret values on etcd", () => {
  let server: EtcdServer;
  let env: EnvTest;
  const values = [`etcd-probe-${randomUUID()}`, `etcd-rotated-${randomUUID()}`];
  beforeAll(async () => {
    server = await startEtcd();
    env = await startEnvTest({ store: openEtcdStore({ endpoints: server.endpoints, prefix: `/claw-test-${randomUUID()}` }) });
  }, 30_000);
  afterAll(async () => {
    await env?.stop();
    await server?.stop();
  });

  it("never reach etcd's data directory, whatever the write path", async () => {
    const created = await env.request(`${SECURITY_API}/secrets`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name: "on-etcd" }, spec: { valueFrom: { value: values[0] }, allowedWorkloads: ["api-server"] } } });
    expect(created.status).toBe(201);
    expect((await env.request(secretsPaths.rotate("on-etcd"), { method: "POST", json: { value: values[1] } })).status).toBe(201);
    const revealed = (await (await env.request(secretsPaths.reveal("on-etcd"), { method: "POST" })).json()) as { value: string };
    expect(revealed.value).toBe(values[1]);
    const files = filesUnder(server.dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const value of values) expect({ file, found: bytes.includes(Buffer.from(value)) }).toEqual({ file, found: false });
    }
    const jwt = JSON.parse((await env.store.get(JWT_SECRET_KEY))!.value) as { secret?: string; sealed?: unknown };
    expect(jwt.secret).toBeUndefined();
    expect(jwt.sealed).toBeDefined();
  });
});
