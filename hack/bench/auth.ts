// hack/bench/auth: authenticated GET requests/s through the whole pipeline (API key authentication + RBAC)
// beside the same GETs with authentication and authorization off, in one run: an in-process ApiServer on the
// embedded store (plain HTTP on 127.0.0.1), 64 requests in flight, rounds alternated so drift hits both.
//
//   npm run build && node dist/hack/bench/auth.js [--count 10000] [--concurrency 64] [--rounds 5]

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { Pool } from "undici";
import { defaultAuthConfig } from "../../api/auth/auth-config.js";
import { SECURITY_API, authPaths, type ApiKeySecret } from "../../api/types/auth-api.js";
import { Identity } from "../../api/auth/identity.js";
import { systemClock } from "../../api/machinery/clock.js";
import { loadCrdRegistry } from "../../api/schema/crd-registry.js";
import type { ApiServer } from "../../api/server/api-server.js";
import { assembleServer } from "../../cmd/server/assemble-server.js";
import type { Authenticator } from "../../api/server/authentication.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    rounds: { type: "string", default: "5" },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const logger = pino({ level: "silent" });
const registry = loadCrdRegistry();

/** Authentication off: every request is the same user, whatever it carries. */
const anyone: Authenticator = { name: "anyone", authenticate: async () => ({ name: "bench", groups: ["system:authenticated"] }) };

async function serve(store: Store, secured: boolean): Promise<{ url: string; identity?: Identity; server: ApiServer }> {
  let identity: Identity | undefined;
  const assembled = assembleServer({
    store,
    registry,
    clock: systemClock,
    logger,
    random: { bytes: (n) => randomBytes(n) },
    // Unsecured: the same pipeline with a decider that grants everything, so the difference is identity's cost.
    modules: secured ? [(ctx) => (identity = new Identity(ctx, { config: defaultAuthConfig() }))] : [() => ({ name: "allow-all", provides: { permissions: { decide: () => ({ allowed: true, reason: "bench" }) } } })],
    ...(secured ? {} : { authenticators: [anyone] }),
  });
  await assembled.startModules();
  const address = await assembled.server.start({ host: "127.0.0.1", port: 0 });
  return { url: `http://127.0.0.1:${address.port}`, server: assembled.server, ...(identity ? { identity } : {}) };
}

/** GETs one object `count` times with `concurrency` in flight; returns requests per second. */
async function rate(url: string, credential: string): Promise<number> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const path = `${SECURITY_API}/roles/viewer`;
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const r = await pool.request({ path, method: "GET", headers: { authorization: `Bearer ${credential}` } });
        await r.body.dump();
        if (r.statusCode !== 200) failures++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  if (failures > 0) throw new Error(`${failures} requests failed`);
  return count / seconds;
}

async function post(url: string, path: string, token: string, body?: unknown): Promise<unknown> {
  const r = await fetch(url + path, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

const home = mkdtempSync(join(tmpdir(), "claw-bench-auth-"));
const store = await openSqliteStore({ path: join(home, "store.db") });
try {
  const secured = await serve(store, true);
  const bootstrap = await secured.identity!.bootstrap();
  if (!bootstrap.created) throw new Error("expected a fresh store");
  // A viewer's key limited to reading: the whole path (key lookup, hash, owner, roles, scopes, RBAC).
  const object = (kind: string, name: string, spec: unknown) => ({ apiVersion: "security.clawbernetes.com/v1", kind, metadata: { name }, spec });
  await post(secured.url, `${SECURITY_API}/users`, bootstrap.secret, object("User", "bench-viewer", { roles: ["viewer"] }));
  await post(secured.url, `${SECURITY_API}/apikeys`, bootstrap.secret, object("ApiKey", "bench-key", { displayName: "bench", owner: "bench-viewer", scopes: ["*:read,list"] }));
  const key = (await post(secured.url, authPaths.apiKeySecret("bench-key"), bootstrap.secret)) as ApiKeySecret;
  const open = await serve(store, false);

  console.log(`hack/bench/auth: GET ${SECURITY_API}/roles/viewer, ${count} requests × ${rounds} rounds each, ${concurrency} in flight, in-process server, embedded store, node ${process.version}`);
  await rate(secured.url, key.secret);
  await rate(open.url, key.secret);
  const full: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always runs on a warmer or busier machine.
    if (i % 2 === 0) {
      full.push(await rate(secured.url, key.secret));
      off.push(await rate(open.url, key.secret));
    } else {
      off.push(await rate(open.url, key.secret));
      full.push(await rate(secured.url, key.secret));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [f, o] = [median(full), median(off)];
  console.log(`whole pipeline (API key + RBAC) req/s: ${f.toFixed(0).padStart(7)}   rounds: ${full.map((x) => x.toFixed(0)).join(", ")}`);
  console.log(`authn and authz off           req/s: ${o.toFixed(0).padStart(7)}   rounds: ${off.map((x) => x.toFixed(0)).join(", ")}`);
  const paired = median(full.map((x, i) => x / off[i]!));
  console.log(`ratio (pipeline / off): ${(f / o).toFixed(3)} of the medians, ${paired.toFixed(3)} median of back-to-back pairs (target >= 0.8)`);
  await secured.server.stop();
  secured.identity?.stop();
  await open.server.stop();
} finally {
  await store.close();
  rmSync(home, { recursive: true, force: true });
}
