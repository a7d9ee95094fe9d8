// hack/bench/secrets: the cost of secret values, each figure beside a baseline measured in the same run.
//   (a) values sealed and opened per second (sealValue / openSealedValue, 64-byte values) beside raw
//       ChaCha20-Poly1305 encrypt / decrypt of the same size under one fixed key: the ratio is the cost of
//       the per-version BLAKE3 key derivation, the associated data and the spec.sealed encoding.
//   (b) release requests/s through the API of a real `claw server` (HTTPS, bearer auth, RBAC, the access
//       decision over the SecretPolicies, the secrets.accessed audit entry, opening the value) beside GETs
//       of the same Secret object (the same auth path), rounds alternated; 64 in flight.
//   (c) the time to rekey --secrets (10,000) secrets through the API (each POST …/rekey re-seals the value
//       and its version record under the new primary key), beside a rerun once all are rekeyed (the same
//       requests with nothing left to re-seal).
//
//   npm run bench:secrets -- [--seal-ops 100000] [--requests 5000] [--rounds 5] [--secrets 10000] [--concurrency 64]

import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BatchStore } from "../../api/audit/batch-store.js";
import type { RestClient } from "../../api/client/rest-client.js";
import { deriveValueKey } from "../../api/secrets/key-derivation.js";
import { Keyring } from "../../api/secrets/keyring.js";
import { openSealedValue, sealValue } from "../../api/secrets/sealing.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Secret } from "../../api/types/secret.js";
import { secretsPaths, type RekeyResult } from "../../api/types/secrets-api.js";
import { adminClient } from "../testing/admin-client.js";
import { startClawServer, type ClawServerProcess } from "../testing/claw-process.js";

const { values } = parseArgs({
  options: {
    "seal-ops": { type: "string", default: "100000" },
    requests: { type: "string", default: "5000" },
    rounds: { type: "string", default: "5" },
    secrets: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/secrets.js [--seal-ops 100000] [--requests 5000] [--rounds 5] [--secrets 10000] [--concurrency 64]");
  process.exit(0);
}
const sealOps = Number(values["seal-ops"]);
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const secretCount = Number(values.secrets);
const concurrency = Number(values.concurrency);
const VALUE_BYTES = 64;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const fmt = (perSecond: number) => perSecond.toFixed(0).padStart(8);

/** Calls op `count` times in a loop; returns calls per second. */
function loop(count: number, op: (i: number) => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) op(i);
  return count / seconds(started);
}

/** Runs op(i) for i in [0, count) with `concurrency` in flight; returns operations per second. */
async function inFlight(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / seconds(started);
}

function sealing(): void {
  const keyring = new Keyring([new Uint8Array(randomBytes(32))]);
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const value = new Uint8Array(randomBytes(VALUE_BYTES));
  const target = (i: number) => ({ name: `bench-${i % 1000}`, version: 1 + (i % 7) });
  const sealed = Array.from({ length: 1000 }, (_, i) => sealValue(value, target(i), { keyring, random }));
  const fixedKey = new Uint8Array(randomBytes(32));
  const nonce = random(12);
  const rawCiphertext = chacha20poly1305(fixedKey, nonce).encrypt(value);

  const measure = {
    seal: () => loop(sealOps, (i) => sealValue(value, target(i), { keyring, random })),
    open: () => loop(sealOps, (i) => openSealedValue(sealed[i % 1000], target(i % 1000), keyring)),
    // A fresh nonce per encryption as sealValue draws, so the difference is derivation, AAD and encoding.
    rawEncrypt: () => loop(sealOps, () => chacha20poly1305(fixedKey, random(12)).encrypt(value)),
    rawDecrypt: () => loop(sealOps, () => chacha20poly1305(fixedKey, nonce).decrypt(rawCiphertext)),
    derive: () => loop(sealOps, (i) => deriveValueKey(fixedKey, target(i))),
  };
  const results = Object.fromEntries(Object.keys(measure).map((k) => [k, [] as number[]])) as Record<keyof typeof measure, number[]>;
  for (const run of Object.values(measure)) run();
  for (let r = 0; r < rounds; r++) for (const [k, run] of Object.entries(measure)) results[k as keyof typeof measure].push(run());
  const m = Object.fromEntries(Object.entries(results).map(([k, xs]) => [k, median(xs)])) as Record<keyof typeof measure, number>;
  console.log(`(a) ${VALUE_BYTES}-byte values, ${sealOps} operations × ${rounds} rounds, medians, one thread`);
  console.log(`    sealValue        /s: ${fmt(m.seal)}   raw chacha20poly1305 encrypt /s: ${fmt(m.rawEncrypt)}   ratio: ${(m.seal / m.rawEncrypt).toFixed(3)}`);
  console.log(`    openSealedValue  /s: ${fmt(m.open)}   raw chacha20poly1305 decrypt /s: ${fmt(m.rawDecrypt)}   ratio: ${(m.open / m.rawDecrypt).toFixed(3)}`);
  console.log(`    BLAKE3 derive_key of one value key alone /s: ${fmt(m.derive)}`);
}

const home = mkdtempSync(join(tmpdir(), "claw-bench-secrets-"));
const keyFile = join(home, "master.key");
const gatewayToml = join(home, "gateway.toml");
writeFileSync(gatewayToml, `[secrets]\nkey_file = ${JSON.stringify(keyFile)}\n`);
const writeKeys = (...keys: Uint8Array[]) => writeFileSync(keyFile, keys.map((k) => Buffer.from(k).toString("base64")).join("\n") + "\n", { mode: 0o600 });

async function serve(dataDir: string): Promise<{ server: ClawServerProcess; client: RestClient }> {
  // No controller writes anything during the bench: the figures are the request path alone.
  const server = await startClawServer({ dataDir, extraArgs: ["--config", gatewayToml, "--controllers=false"] });
  return { server, client: await adminClient(server.adminConfig, { maxConnections: concurrency }) };
}

const secretObject = (name: string, spec: Secret["spec"]): Secret => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name }, spec });

async function releases(): Promise<void> {
  writeKeys(new Uint8Array(randomBytes(32)));
  const dataDir = join(home, "release");
  const { server, client } = await serve(dataDir);
  const name = "bench-release";
  try {
    await client.create("secrets", secretObject(name, { valueFrom: { value: randomBytes(VALUE_BYTES / 2).toString("hex") }, allowedWorkloads: ["bench-workload"] }));
    await client.create("secretpolicies", { apiVersion: "security.clawbernetes.com/v1", kind: "SecretPolicy", metadata: { name }, spec: { secret: name, allowLabels: { team: "bench" }, denyWorkloads: ["debug-container"] } });
    const release = () => client.requestJson({ method: "POST", path: secretsPaths.release(name), body: { workload: { name: "bench-workload", labels: { team: "bench" } } } });
    const get = () => client.get("secrets", name);
    await inFlight(requests, release);
    await inFlight(requests, get);
    const released: number[] = [];
    const got: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always runs on a warmer or busier machine.
      if (r % 2 === 0) {
        released.push(await inFlight(requests, release));
        got.push(await inFlight(requests, get));
      } else {
        got.push(await inFlight(requests, get));
        released.push(await inFlight(requests, release));
      }
    }
    const [rel, g] = [median(released), median(got)];
    console.log(`(b) ${requests} requests × ${rounds} rounds each, ${concurrency} in flight, claw server (HTTPS, bearer auth, RBAC), embedded store`);
    console.log(`    POST …/secrets/${name}/release (decision + secrets.accessed audit + open) req/s: ${fmt(rel)}   rounds: ${released.map((x) => x.toFixed(0)).join(", ")}`);
    console.log(`    GET  …/secrets/${name} (same object, same auth path)                      req/s: ${fmt(g)}   rounds: ${got.map((x) => x.toFixed(0)).join(", ")}`);
    console.log(`    ratio release / GET: ${(rel / g).toFixed(3)} of the medians, ${median(released.map((x, i) => x / got[i]!)).toFixed(3)} median of back-to-back pairs`);
  } finally {
    await client.close();
    await server.stop();
  }
  const store = openSqliteStore({ path: join(dataDir, "store.db") });
  try {
    const batches = new BatchStore(store);
    let accessed = 0;
    for await (const record of batches.batchesFrom((await batches.firstBatch()) ?? 1)) accessed += record.entries.filter((e) => e.type === "secrets.accessed" && e.outcome === "success").length;
    console.log(`    secrets.accessed success entries in the audit log: ${accessed} (releases sent: ${requests * (rounds + 1)})`);
  } finally {
    await store.close();
  }
}

async function rekeys(): Promise<void> {
  const oldKey = new Uint8Array(randomBytes(32));
  const newKey = new Uint8Array(randomBytes(32));
  const newId = new Keyring([newKey]).primaryId;
  const dataDir = join(home, "rekey");
  const nameOf = (i: number) => `bench-${String(i).padStart(5, "0")}`;
  writeKeys(oldKey);
  const created = await (async () => {
    const { server, client } = await serve(dataDir);
    try {
      return await inFlight(secretCount, (i) => client.create("secrets", secretObject(nameOf(i), { valueFrom: { value: randomBytes(VALUE_BYTES / 2).toString("hex") } })));
    } finally {
      await client.close();
      await server.stop();
    }
  })();
  writeKeys(newKey, oldKey);
  const { server, client } = await serve(dataDir);
  try {
    let resealed = 0;
    const rekey = (expected: number) => async (i: number) => {
      const result = await client.requestJson<RekeyResult>({ method: "POST", path: secretsPaths.rekey(nameOf(i)) });
      if (result.keyId !== newId || result.resealed !== expected) throw new Error(`rekey ${nameOf(i)} answered ${JSON.stringify(result)}`);
      resealed += result.resealed;
    };
    const first = await inFlight(secretCount, rekey(1));
    const rerun = await inFlight(secretCount, rekey(0));
    console.log(`(c) ${secretCount} secrets (created at ${created.toFixed(0)}/s), ${concurrency} rekeys in flight, claw server (HTTPS, bearer auth, RBAC, audit), embedded store`);
    console.log(`    rekey of ${secretCount} through the API: ${(secretCount / first).toFixed(1)} s (${first.toFixed(0)}/s, ${resealed} values re-sealed)`);
    console.log(`    rerun with nothing to re-seal:          ${(secretCount / rerun).toFixed(1)} s (${rerun.toFixed(0)}/s)   ratio rekey / rerun rate: ${(first / rerun).toFixed(3)}`);
  } finally {
    await client.close();
    await server.stop();
  }
}

console.log(`hack/bench/secrets: node ${process.version}`);
try {
  sealing();
  await releases();
  await rekeys();
} finally {
  rmSync(home, { recursive: true, force: true });
}
