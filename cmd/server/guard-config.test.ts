// The guide's [ddos] block pasted verbatim into gateway.toml starts the server and is enforced; garbage in it
// stops the server naming the file, the line and the key.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../controllers/runtime/testing/silent-logger.js";
import { GUIDE_DDOS_BLOCK } from "../../api/guard/testing/guide-ddos.js";
import { runServer, type RunningServer } from "./run-server.js";
import { loadServerConfig } from "./server-config.js";


function version(url: string, agent: Agent): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve) => {
    const req = request(new URL("/version", url), { agent, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ...(res.headers["retry-after"] ? { retryAfter: String(res.headers["retry-after"]) } : {}) }));
    });
    req.on("error", () => resolve({ status: 0 }));
    req.end();
  });
}

describe("the guide's [ddos] block", () => {
  let home = "";
  let server: RunningServer | undefined;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "claw-ddos-"));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });
  const start = (toml: string, name = "gateway.toml") => {
    const file = join(home, name);
    writeFileSync(file, toml);
    const config = loadServerConfig({ config: file, dataDir: join(home, `data-${name}`), listen: "127.0.0.1:0" }, home);
    return runServer({ config, logger: silentLogger(), announce: () => {}, controllers: false });
  };

  it("starts the server pasted verbatim, and limits a client past its burst", async () => {
    server = await start(GUIDE_DDOS_BLOCK);
    const agent = new Agent({ keepAlive: true, localAddress: "127.0.0.2", maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 300 }, () => version(server!.url, agent)));
    agent.destroy();
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toBeGreaterThanOrEqual(200);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.retryAfter).toMatch(/^\d+$/);
  });

  it.each([
    ["a string where a boolean goes", `[ddos]\nenabled = "yes please"\n`, /gateway-1\.toml:2: \[ddos\] enabled must be true or false/],
    ["an unknown key", `[ddos]\nenabled = true\n\n[ddos.rate_limit]\nrps = 5\n`, /gateway-2\.toml:5: .*\[ddos\.rate_limit\] .*rps/],
    ["a negative limit", `[ddos.connection]\nmax_per_ip = -1\n`, /gateway-3\.toml:2: \[ddos\.connection\] max_per_ip must be a whole number/],
    ["an unknown country", `[ddos.geo]\nenabled = true\nmode = "allowlist"\ncountries = ["US", "XX"]\n`, /gateway-4\.toml:4: \[ddos\.geo\] countries.*XX/],
  ])("refuses to start on %s, naming the file, line and key", async (_name, toml, message) => {
    const index = ["a string", "an unknown key", "a negative", "an unknown country"].findIndex((p) => _name.startsWith(p)) + 1;
    await expect(start(toml, `gateway-${index}.toml`)).rejects.toThrow(message);
  });
});
