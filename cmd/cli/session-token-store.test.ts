import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveClientConfig, type ClientConfigInputs } from "./config/client-config.js";
import { buildKubeconfig, readKubeconfigFile, serializeKubeconfig, type Kubeconfig } from "./config/kubeconfig.js";
import { replaceStoredToken, storeSessionToken, tokenIsFromConfigFile } from "./session-token-store.js";

let home: string;
let path: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "claw-token-store-"));
  path = join(home, ".claw", "config");
});
afterEach(() => rm(home, { recursive: true, force: true }));

const inputs = (flags: ClientConfigInputs["flags"] = {}, env: ClientConfigInputs["env"] = {}): ClientConfigInputs => ({ flags, env, homeDir: home });
const twoContexts = (): Kubeconfig => {
  const a = buildKubeconfig({ name: "a", server: "https://a.example:8443", token: "clk_a" });
  const b = buildKubeconfig({ name: "b", server: "https://b.example:8443", token: "clk_b" });
  return { ...a, clusters: [...a.clusters, ...b.clusters], users: [...a.users, ...b.users], contexts: [...a.contexts, ...b.contexts] };
};
const write = async (config: Kubeconfig) => {
  await mkdir(join(home, ".claw"), { recursive: true });
  await writeFile(path, serializeKubeconfig(config), { mode: 0o644 });
};
const tokens = async () => Object.fromEntries(((await readKubeconfigFile(path))?.users ?? []).map((u) => [u.name, u.user.token]));

describe("storeSessionToken", () => {
  it("stores the token for the current context's user only, and leaves the file at mode 0600", async () => {
    await write(twoContexts());
    const stored = await storeSessionToken({ inputs: inputs(), resolved: await resolveClientConfig(inputs()), token: "eyJ.new" });
    expect(stored).toEqual({ path, context: "a", user: "a", created: false });
    expect(await tokens()).toEqual({ a: "eyJ.new", b: "clk_b" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("stores the token for the --context user", async () => {
    await write(twoContexts());
    await storeSessionToken({ inputs: inputs({ context: "b" }), resolved: await resolveClientConfig(inputs({ context: "b" })), token: "eyJ.new" });
    expect(await tokens()).toEqual({ a: "clk_a", b: "eyJ.new" });
  });

  it("makes the file from the resolved server and CA when there is none", async () => {
    const resolved = { ...(await resolveClientConfig(inputs({ server: "https://c.example" }))), tls: { ca: "PEM", insecureSkipVerify: false } };
    const stored = await storeSessionToken({ inputs: inputs(), resolved, token: "eyJ.new" });
    expect(stored.created).toBe(true);
    const config = await readKubeconfigFile(path);
    expect(config?.clusters[0]?.cluster).toEqual({ server: "https://c.example", "certificate-authority-data": Buffer.from("PEM").toString("base64") });
    expect(await tokens()).toEqual({ claw: "eyJ.new" });
  });

  it("asks for --context when the file has several contexts and none is current", async () => {
    const { "current-context": _none, ...config } = twoContexts();
    await write(config);
    await expect(storeSessionToken({ inputs: inputs(), resolved: await resolveClientConfig(inputs({ server: "https://a.example:8443" })), token: "t" })).rejects.toThrow(/--context NAME/);
  });
});

describe("replaceStoredToken and tokenIsFromConfigFile", () => {
  it.each([
    { name: "removes the token when the file still holds the expected one", expected: "clk_a", next: undefined, changed: true, after: { a: undefined, b: "clk_b" } },
    { name: "replaces the token on refresh", expected: "clk_a", next: "eyJ.newer", changed: true, after: { a: "eyJ.newer", b: "clk_b" } },
    { name: "leaves the file alone when it holds another token by now", expected: "eyJ.other", next: undefined, changed: false, after: { a: "clk_a", b: "clk_b" } },
  ])("$name", async ({ expected, next, changed, after }) => {
    await write(twoContexts());
    expect(await replaceStoredToken({ path, expected, ...(next ? { next } : {}) })).toBe(changed);
    expect(await tokens()).toEqual(after);
  });

  it("tells a token from the file apart from one from the environment", async () => {
    await write(twoContexts());
    expect(tokenIsFromConfigFile(await resolveClientConfig(inputs()))).toBe(true);
    expect(tokenIsFromConfigFile(await resolveClientConfig(inputs({}, { CLAWBERNETES_TOKEN: "eyJ.env" })))).toBe(false);
    expect(await readFile(path, "utf8")).toContain("clk_a");
  });
});
