import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configWritePath, DEFAULT_SERVER, resolveClientConfig, type ClientConfigFlags } from "./client-config.js";
import { buildKubeconfig, serializeKubeconfig } from "./kubeconfig.js";

let root = "";
const home = () => join(root, "home");
const file = (server: string, token?: string) => serializeKubeconfig(buildKubeconfig({ server, ...(token ? { token } : {}) }));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "claw-cc-"));
  await mkdir(join(home(), ".claw"), { recursive: true });
  await writeFile(join(home(), ".claw", "admin.conf"), file("https://admin:8080", "clk_admin"));
  await mkdir(join(root, "only-admin", ".claw"), { recursive: true });
  await writeFile(join(root, "only-admin", ".claw", "admin.conf"), file("https://admin-only:8080", "clk_admin"));
  await writeFile(join(home(), ".claw", "config"), file("https://user:8080", "eyJuser"));
  await writeFile(join(root, "explicit.yaml"), file("https://explicit:8080", "clk_explicit"));
  await writeFile(join(root, "ca.pem"), "CA PEM");
  await writeFile(join(root, "token.txt"), "eyJfromfile\n");
  await writeFile(
    join(root, "files.yaml"),
    [
      "clusters: [{name: c, cluster: {server: 'https://files:8080', certificate-authority: ca.pem}}]",
      "users: [{name: u, user: {tokenFile: token.txt}}]",
      "contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: c, user: u}}]",
      "current-context: a",
    ].join("\n"),
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

interface Case {
  name: string;
  flags?: ClientConfigFlags;
  env?: Record<string, string>;
  homeDir?: string;
  want: { server?: string; credential?: { type: string; value: string; source: RegExp | string }; configPath?: string; noCredential?: boolean };
}

describe("resolveClientConfig", () => {
  const cases: Case[] = [
    { name: "reads ~/.claw/config before ~/.claw/admin.conf", want: { server: "https://user:8080", credential: { type: "token", value: "eyJuser", source: /\.claw\/config \(user "claw"\)/ } } },
    { name: "falls back to ~/.claw/admin.conf", homeDir: "only-admin", want: { server: "https://admin-only:8080", credential: { type: "apiKey", value: "clk_admin", source: /admin\.conf/ } } },
    { name: "uses the file named by CLAW_CONFIG", env: { CLAW_CONFIG: "explicit.yaml" }, want: { server: "https://explicit:8080" } },
    { name: "prefers --config to CLAW_CONFIG", flags: { config: "explicit.yaml" }, env: { CLAW_CONFIG: "nope.yaml" }, want: { server: "https://explicit:8080" } },
    { name: "uses the default server and no credential when no file exists", homeDir: "nowhere", want: { server: DEFAULT_SERVER, noCredential: true } },
    { name: "lets --server override the file's server", flags: { server: "http://127.0.0.1:9" }, want: { server: "http://127.0.0.1:9" } },
    { name: "prefers CLAWBERNETES_TOKEN to the config file", env: { CLAWBERNETES_TOKEN: "eyJenv" }, want: { credential: { type: "token", value: "eyJenv", source: "CLAWBERNETES_TOKEN" } } },
    { name: "takes CLAWBERNETES_API_KEY as an API key", env: { CLAWBERNETES_API_KEY: "clk_env" }, want: { credential: { type: "apiKey", value: "clk_env", source: "CLAWBERNETES_API_KEY" } } },
    { name: "prefers --token to the environment", flags: { token: "clk_flag" }, env: { CLAWBERNETES_TOKEN: "eyJenv" }, want: { credential: { type: "apiKey", value: "clk_flag", source: "--token" } } },
    { name: "reads a tokenFile relative to the config file", flags: { config: "files.yaml" }, want: { server: "https://files:8080", credential: { type: "token", value: "eyJfromfile", source: /token\.txt/ } } },
  ];
  it.each(cases)("$name", async ({ flags, env, homeDir, want }) => {
    const resolved = await resolveClientConfig({
      flags: { ...flags, ...(flags?.config ? { config: join(root, flags.config) } : {}) },
      env: { ...env, ...(env?.CLAW_CONFIG ? { CLAW_CONFIG: join(root, env.CLAW_CONFIG) } : {}) },
      homeDir: homeDir ? join(root, homeDir) : home(),
    });
    if (want.server) expect(resolved.server).toBe(want.server);
    if (want.noCredential) expect(resolved.credential).toBeUndefined();
    if (want.credential) {
      expect(resolved.credential).toMatchObject({ type: want.credential.type, value: want.credential.value });
      expect(resolved.credential!.source).toMatch(want.credential.source);
    }
  });

  it("reads a certificate-authority file relative to the config file", async () => {
    const resolved = await resolveClientConfig({ flags: { config: join(root, "files.yaml") }, env: {}, homeDir: home() });
    expect(resolved.tls.ca?.toString()).toBe("CA PEM");
  });

  it.each([
    { name: "refuses a --config file that does not exist", flags: { config: "missing.yaml" }, env: {}, want: /missing\.yaml \(from --config\) does not exist/ },
    { name: "refuses a CLAW_CONFIG file that does not exist", flags: {}, env: { CLAW_CONFIG: "missing.yaml" }, want: /missing\.yaml \(from CLAW_CONFIG\) does not exist/ },
    { name: "refuses a --context that is not in the file", flags: { config: "files.yaml", context: "zzz" }, env: {}, want: /context "zzz" \(from --context\) is not in the file; contexts: a, b/ },
    { name: "refuses a server URL that is not http(s)", flags: { server: "127.0.0.1:8080" }, env: {}, want: /"127\.0\.0\.1:8080" from --server is not an http:\/\/ or https:\/\/ URL/ },
  ])("$name", async ({ flags, env, want }) => {
    const f = { ...flags, ...(flags.config ? { config: join(root, flags.config) } : {}) } as ClientConfigFlags;
    const e = env.CLAW_CONFIG ? { CLAW_CONFIG: join(root, env.CLAW_CONFIG) } : {};
    await expect(resolveClientConfig({ flags: f, env: e, homeDir: home() })).rejects.toThrow(want);
  });
});

describe("configWritePath", () => {
  it.each([
    { name: "writes to --config when given", flags: { config: "/x/c" }, env: {}, want: "/x/c" },
    { name: "writes to CLAW_CONFIG when set", flags: {}, env: { CLAW_CONFIG: "/y/c" }, want: "/y/c" },
    { name: "writes to ~/.claw/config otherwise", flags: {}, env: {}, want: "/h/.claw/config" },
  ])("$name", ({ flags, env, want }) => {
    expect(configWritePath({ flags, env, homeDir: "/h" })).toBe(want);
  });
});
