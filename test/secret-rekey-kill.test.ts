// kill -9 during a rekey of 10,000 secrets, then rerun: a real `claw server` whose key file holds the old
// master key seals 10,000 values; restarted with the new key first and the old one after it, it is
// SIGKILLed while 32 rekeys are in flight. Each secret's value and its version records then agree on one
// key (old or new, never a mix); a rerun finishes the job, and a server holding only the new key opens
// every value.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RestClient } from "../api/client/rest-client.js";
import { Keyring } from "../api/secrets/keyring.js";
import { openSealedValue } from "../api/secrets/sealing.js";
import { VERSIONS_AREA, type VersionRecord } from "../api/secrets/version-history.js";
import { internalKey, resourcePrefix } from "../api/store/keys.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import type { Store } from "../api/store/store.js";
import type { Secret } from "../api/types/secret.js";
import { secretsPaths, type RekeyResult, type SecretValue } from "../api/types/secrets-api.js";
import { adminClient } from "../hack/testing/admin-client.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";

const COUNT = 10_000;
const IN_FLIGHT = 32;
const KILL_AFTER = 3_000;
const OLD = new Uint8Array(randomBytes(32));
const NEW = new Uint8Array(randomBytes(32));
const OLD_ID = new Keyring([OLD]).primaryId;
const NEW_ID = new Keyring([NEW]).primaryId;

const home = mkdtempSync(join(tmpdir(), "claw-rekey-kill-"));
const dataDir = join(home, "data");
const keyFile = join(home, "master.key");
const gatewayToml = join(home, "gateway.toml");
writeFileSync(gatewayToml, `[secrets]\nkey_file = ${JSON.stringify(keyFile)}\n`);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const nameOf = (i: number) => `rk-${String(i).padStart(5, "0")}`;
const valueOf = (name: string) => `value of ${name}: ${name.split("").reverse().join("")}`;
const secret = (i: number): Secret => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name: nameOf(i) }, spec: { valueFrom: { value: valueOf(nameOf(i)) } } });

/** The key file: one base64 key a line, the first sealing. */
function writeKeys(...keys: Uint8Array[]): void {
  writeFileSync(keyFile, keys.map((k) => Buffer.from(k).toString("base64")).join("\n") + "\n", { mode: 0o600 });
}

/** Runs `use` against a server on the data dir and the current key file, then stops it (if it still runs). */
async function withServer(use: (server: ClawServerProcess, client: RestClient) => Promise<void>): Promise<void> {
  const server = await startClawServer({ dataDir, extraArgs: ["--config", gatewayToml, "--controllers=false"] });
  const client = await adminClient(server.adminConfig, { maxConnections: IN_FLIGHT });
  try {
    await use(server, client);
  } finally {
    await client.close();
    await server.stop();
  }
}

/** Runs op(i) for every i with IN_FLIGHT in flight, until done or `stop()` says so. */
async function forEach(op: (i: number) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < COUNT && !stop()) await op(next++);
    }),
  );
}

const rekey = (client: RestClient, i: number) => client.requestJson<RekeyResult>({ method: "POST", path: secretsPaths.rekey(nameOf(i)) });

/** Every Secret in the store with its kept version records, read directly from the SQLite file. */
async function readAll(store: Store): Promise<Map<string, { secret: Secret; versions: VersionRecord[] }>> {
  const all = new Map<string, { secret: Secret; versions: VersionRecord[] }>();
  const byUid = new Map<string, VersionRecord[]>();
  const scan = async (prefix: string, each: (key: string, value: string) => void) => {
    for (let startAfter: string | undefined; ; ) {
      const page = await store.list(prefix, { limit: 1000, ...(startAfter ? { startAfter } : {}) });
      for (const kv of page.items) each(kv.key, kv.value);
      if (!page.more) return;
      startAfter = page.items.at(-1)!.key;
    }
  };
  const versionsPrefix = internalKey(VERSIONS_AREA, "versions/");
  await scan(versionsPrefix, (key, value) => {
    const uid = key.slice(versionsPrefix.length).split("/")[0]!;
    byUid.set(uid, [...(byUid.get(uid) ?? []), JSON.parse(value) as VersionRecord]);
  });
  await scan(resourcePrefix("security.clawbernetes.com", "secrets"), (_key, value) => {
    const secret = JSON.parse(value) as Secret;
    all.set(secret.metadata.name, { secret, versions: byUid.get(secret.metadata.uid ?? "") ?? [] });
  });
  return all;
}

/**
 * The key id a secret's value and version records are all sealed under, after opening each with
 * `keyring` and finding the secret's own value; a description of what is wrong otherwise.
 */
function sealedUnder(entry: { secret: Secret; versions: VersionRecord[] }, keyring: Keyring): { keyId: string } | { wrong: string } {
  const name = entry.secret.metadata.name;
  const sealed = [entry.secret.spec!.sealed!, ...entry.versions.map((v) => v.sealed)];
  try {
    for (const s of sealed) if (new TextDecoder().decode(openSealedValue(s, { name, version: s.version }, keyring)) !== valueOf(name)) return { wrong: `${name} opens to another value` };
  } catch (err) {
    return { wrong: `${name}: ${(err as Error).message}` };
  }
  const ids = new Set([...sealed.map((s) => s.keyId), ...entry.versions.map((v) => v.keyId)]);
  return ids.size === 1 ? { keyId: [...ids][0]! } : { wrong: `${name} mixes keys ${[...ids].join(", ")}` };
}

describe("kill -9 during a rekey of 10,000 secrets", () => {
  it("leaves each secret whole under one key, and a rerun leaves every secret opening under the new key alone", async () => {
    const timings: string[] = [];
    const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await step();
      } finally {
        timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    };

    writeKeys(OLD);
    await timed(`create ${COUNT}`, () => withServer((_server, client) => forEach(async (i) => void (await client.create("secrets", secret(i))))));

    writeKeys(NEW, OLD);
    const answered = new Set<string>();
    await timed(`rekey until SIGKILL after ${KILL_AFTER}`, () =>
      withServer(async (server, client) => {
        let killed = false;
        await forEach(
          async (i) => {
            let result: RekeyResult;
            try {
              result = await rekey(client, i);
            } catch (err) {
              if (killed) return;
              throw new Error(`rekey ${nameOf(i)} failed before the kill: ${(err as Error).message}\n${server.output()}`);
            }
            // An answer, even one that arrives after the kill, was sent after its commit.
            expect(result).toEqual({ name: nameOf(i), keyId: NEW_ID, resealed: 1 });
            answered.add(nameOf(i));
            if (answered.size === KILL_AFTER && !killed) {
              killed = true;
              await server.kill();
            }
          },
          () => killed,
        );
      }),
    );
    expect(answered.size).toBeGreaterThanOrEqual(KILL_AFTER);

    await timed("check the store after the kill", async () => {
      const store = openSqliteStore({ path: join(dataDir, "store.db") });
      try {
        const all = await readAll(store);
        expect(all.size).toBe(COUNT);
        const both = new Keyring([NEW, OLD]);
        const byKey = { [OLD_ID]: 0, [NEW_ID]: 0 };
        const wrong: string[] = [];
        for (const [name, entry] of all) {
          // The value and its version records commit in one transaction: one key, never a mix.
          const result = sealedUnder(entry, both);
          if ("wrong" in result) wrong.push(result.wrong);
          else if (answered.has(name) && result.keyId !== NEW_ID) wrong.push(`${name} was answered before the kill but is sealed under ${result.keyId}`);
          else byKey[result.keyId]! += 1;
        }
        expect(wrong).toEqual([]);
        // Rekeys answered are durable; at most the ones in flight landed unanswered.
        expect(byKey[NEW_ID]).toBeGreaterThanOrEqual(answered.size);
        expect(byKey[NEW_ID]).toBeLessThanOrEqual(answered.size + IN_FLIGHT);
        expect(byKey[OLD_ID]).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    });

    // Half done, the old key cannot be retired yet: a server without it refuses to start, saying why.
    writeKeys(NEW);
    await timed("a refused start with only the new key", () => expect(withServer(async () => undefined)).rejects.toThrow(/cannot open the stored secrets/));
    writeKeys(NEW, OLD);
    const rerun = new Map<string, number>();
    await timed(`rerun the rekey of all ${COUNT}`, () =>
      withServer((_server, client) =>
        forEach(async (i) => {
          const result = await rekey(client, i);
          expect(result).toMatchObject({ name: nameOf(i), keyId: NEW_ID });
          rerun.set(nameOf(i), result.resealed);
        }),
      ),
    );
    expect([...answered].filter((name) => rerun.get(name) !== 0)).toEqual([]);
    expect([...rerun.values()].filter((n) => n === 1).length).toBeGreaterThanOrEqual(COUNT - answered.size - IN_FLIGHT);

    writeKeys(NEW);
    // The server's start check refuses a keyring that lacks a stored value's key: starting at all says none is left.
    await timed("reveal a sample with only the new key", () =>
      withServer(async (_server, client) => {
        for (const i of [0, 1, KILL_AFTER - 1, KILL_AFTER, KILL_AFTER + IN_FLIGHT, 7_777, COUNT - 1]) {
          const revealed = await client.requestJson<SecretValue>({ method: "POST", path: secretsPaths.reveal(nameOf(i)) });
          expect(revealed).toMatchObject({ kind: "SecretValue", name: nameOf(i), version: 1, value: valueOf(nameOf(i)) });
        }
      }),
    );

    await timed(`open all ${COUNT} from the store with only the new key`, async () => {
      const store = openSqliteStore({ path: join(dataDir, "store.db") });
      try {
        const all = await readAll(store);
        expect(all.size).toBe(COUNT);
        const onlyNew = new Keyring([NEW]);
        const wrong = [...all.values()].map((entry) => sealedUnder(entry, onlyNew)).flatMap((r) => ("wrong" in r ? [r.wrong] : r.keyId === NEW_ID ? [] : [`sealed under ${r.keyId}`]));
        expect(wrong).toEqual([]);
      } finally {
        await store.close();
      }
    });
    console.log(`secret-rekey-kill: ${answered.size} rekeys answered before the kill; ${timings.join("; ")}`);
  }, 240_000);
});
