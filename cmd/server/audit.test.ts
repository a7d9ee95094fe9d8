// `claw server` (runServer in-process) with the audit log: the signing key made at first start, the
// audit endpoints behind audit:read, readiness, and one chain across a restart.

import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPaths, type AuditEventList } from "../../api/types/audit-api.js";
import { parsePublicKeys } from "../../api/client/audit/checkpoint.js";
import { PUBLIC_KEY_FILE, SIGNING_KEY_FILE } from "../../api/audit/signing-key-files.js";
import { verifyLog } from "../../api/client/audit/verify-log.js";
import { storeBatchSource } from "../../api/audit/batch-store.js";
import { as, keyFor } from "../../api/auth/testing/identity-fixtures.js";
import { runServer, type RunningServer } from "./run-server.js";
import type { ServerConfig } from "./server-config.js";

const home = mkdtempSync(join(tmpdir(), "claw-audit-server-"));
const config: ServerConfig = {
  listen: { host: "127.0.0.1", port: 0 },
  dataDir: join(home, "data"),
  etcdEndpoints: [],
  maxRequestBytes: 3 * 1024 * 1024,
  sections: { tls: { enabled: false }, audit: { checkpoint_every: 10 } },
};
const start = () => runServer({ config, logger: pino({ level: "silent" }), announce: () => {}, env: {}, controllers: false });

describe("claw server's audit log", () => {
  let running: RunningServer;
  let env: { url: string; request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response> };
  beforeAll(async () => {
    running = await start();
    const kubeconfig = YAML.parse(readFileSync(running.adminConfigPath, "utf8")) as { users: { user: { token: string } }[] };
    env = { url: running.url, ...as({ url: running.url, request: () => Promise.reject(new Error("unused")) }, kubeconfig.users[0]!.user.token) };
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("creates the checkpoint signing key at first start: private 0600, public 0644", () => {
    const dir = join(config.dataDir, "audit");
    expect(statSync(join(dir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, PUBLIC_KEY_FILE)).mode & 0o777).toBe(0o644);
    expect(running.auditPublicKeyPath).toBe(join(dir, PUBLIC_KEY_FILE));
  });

  it("serves recorded events to a caller with audit:read and refuses one without it", async () => {
    const { seq } = await running.audit.log.record({ type: "auth.login", actor: "alice", outcome: "failure", details: { reason: "bad password" } });
    const admin = (await (await env.request(`${auditPaths.events}?last=5`)).json()) as AuditEventList;
    expect(admin.items.map((e) => [e.seq, e.type, e.actor])).toContainEqual([seq, "auth.login", "alice"]);

    const operator = await keyFor(env, { user: "olga", roles: ["operator"] });
    const refused = await as(env, operator.secret).request(`${auditPaths.events}?last=5`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/olga.*read audit/);

    const viewer = await keyFor(env, { user: "vera", roles: ["viewer"] });
    expect((await as(env, viewer.secret).request(`${auditPaths.events}?last=5`)).status).toBe(200);
  });

  it("reports the audit log in readyz", async () => {
    const text = await (await fetch(`${running.url}/readyz?verbose`)).text();
    expect(text).toContain("[+]audit ok");
  });

  it("continues one chain, signed by the same key, after a restart", async () => {
    await running.audit.log.record({ type: "auth.logout", actor: "alice", outcome: "success" });
    const before = running.audit.log.currentHead()!.seq;
    await running.stop();
    running = await start();
    const { seq } = await running.audit.log.record({ type: "auth.logout", actor: "bob", outcome: "success" });
    expect(seq).toBe(before + 1);
    const keys = parsePublicKeys(readFileSync(running.auditPublicKeyPath!, "utf8"), PUBLIC_KEY_FILE);
    const report = await verifyLog(storeBatchSource(running.audit.log.batches), { trustedKeys: keys, checkSignatures: true });
    expect(report).toMatchObject({ ok: true, lastSeq: seq });
  });
});
