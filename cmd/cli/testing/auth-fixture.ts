// Setup shared by the `claw auth` command tests: a fake identity API and a CLI whose config holds the admin key.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { CliHarness } from "./cli-harness.js";
import { startFakeAuthServer, type FakeAuthServer, type FakeAuthServerOptions } from "./fake-auth-server.js";

export const ADMIN_KEY = "clk_adminxxxxxxxxxxxxxxxxssssssssssssssssssssssssssssssss";

export interface AuthFixture {
  server: FakeAuthServer;
  claw: CliHarness;
  /** ~/.claw/config */
  configPath: string;
  dispose(): Promise<void>;
}

/** A fresh fake server and CLI home; the config file holds `token` (the admin key unless told otherwise, none for null). */
export async function startAuthFixture(opts: Partial<FakeAuthServerOptions> & { token?: string | null } = {}): Promise<AuthFixture> {
  const { token, ...serverOptions } = opts;
  const server = await startFakeAuthServer({ adminKey: ADMIN_KEY, now: "2026-01-01T00:55:00Z", ...serverOptions });
  const claw = await CliHarness.create();
  const configPath = join(claw.homeDir, ".claw", "config");
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true, mode: 0o700 });
  const value = token === undefined ? ADMIN_KEY : token;
  await writeFile(configPath, serializeKubeconfig(buildKubeconfig({ server: server.url, ...(value ? { token: value } : {}) })), { mode: 0o600 });
  return {
    server,
    claw,
    configPath,
    dispose: async () => {
      await server.close();
      await claw.dispose();
    },
  };
}
