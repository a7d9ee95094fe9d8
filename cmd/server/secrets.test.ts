import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerConfig } from "./server-config.js";
import { DEFAULT_MASTER_KEY_ENV, secretsModuleSetup } from "./secrets.js";

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const config = (etcd: boolean, sections: Record<string, unknown> = {}): ServerConfig => {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-secrets-setup-"));
  dirs.push(dataDir);
  return { listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: etcd ? ["http://127.0.0.1:2379"] : [], maxRequestBytes: 1 << 20, sections };
};

describe("the master key at start", () => {
  it("is created 0600 on the embedded store's first start, with a note saying where and to back it up", () => {
    const c = config(false);
    const setup = secretsModuleSetup({ config: c, env: {}, random });
    expect(setup.note).toMatch(/master\.key/);
    expect(statSync(join(c.dataDir, "secrets", "master.key")).mode & 0o777).toBe(0o600);
  });

  it("must be shared on etcd: without one the server refuses to start, saying how to give it one", () => {
    expect(() => secretsModuleSetup({ config: config(true), env: {}, random })).toThrow(/servers on etcd must share one master key: set CLAW_MASTER_KEY/);
  });

  it(`is read from ${DEFAULT_MASTER_KEY_ENV} when gateway.toml names none`, () => {
    const setup = secretsModuleSetup({ config: config(true), env: { [DEFAULT_MASTER_KEY_ENV]: Buffer.alloc(32, 3).toString("base64") }, random });
    expect(setup.note).toBeUndefined();
  });

  it("refuses a malformed key without echoing it", () => {
    expect(() => secretsModuleSetup({ config: config(true), env: { [DEFAULT_MASTER_KEY_ENV]: "not-a-key-hunter2" }, random })).toThrow(/CLAW_MASTER_KEY/);
    try {
      secretsModuleSetup({ config: config(true), env: { [DEFAULT_MASTER_KEY_ENV]: "not-a-key-hunter2" }, random });
    } catch (err) {
      expect((err as Error).message).not.toContain("hunter2");
    }
  });
});
