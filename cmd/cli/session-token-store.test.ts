import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveClientConfig, type ClientConfigInputs } from "./config/client-config.js";
import { buildKubeconfig, readKubeconfigFile, serializeKubeconfig, type Kubeconfig } from "./config/kubeconfig.js";
import { forgetSession, replaceStoredToken, storeSessionToken, tokenIsFromConfigFile } from "./session-token-store.js";

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

const store = async (flags: ClientConfigInputs["flags"] = {}, token = "eyJ.new") =>
  storeSessionToken({ inputs: inputs(flags), resolved: await resolveClientConfig(inputs(flags)), username: "alice", token });

describe("storeSessionToken", () => {
  it("stores the session as its own current context, leaves the other tokens alone and the file at mode 0600", async () => {
    await write(twoContexts());
    const stored = await store();
    expect(stored).toEqual({ path, context: "alice@a", previousContext: "a", created: false });
    expect(await tokens()).toEqual({ a: "clk_a", b: "clk_b", "alice@a": "eyJ.new" });
    expect((await readKubeconfigFile(path))?.["current-context"]).toBe("alice@a");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("starts the session from the --context cluster", async () => {
    await write(twoContexts());
    expect(await store({ context: "b" })).toMatchObject({ context: "alice@b", previousContext: "a" });
    expect(await tokens()).toEqual({ a: "clk_a", b: "clk_b", "alice@b": "eyJ.new" });
  });

  it("makes the file from the resolved server and CA when there is none", async () => {
    const resolved = { ...(await resolveClientConfig(inputs({ server: "https://c.example" }))), tls: { ca: "PEM", insecureSkipVerify: false } };
    const stored = await storeSessionToken({ inputs: inputs(), resolved, username: "alice", token: "eyJ.new" });
    expect(stored).toEqual({ path, context: "alice@claw", created: true });
    const config = await readKubeconfigFile(path);
    expect(config?.clusters[0]?.cluster).toEqual({ server: "https://c.example", "certificate-authority-data": Buffer.from("PEM").toString("base64") });
    expect(await tokens()).toEqual({ "alice@claw": "eyJ.new" });
  });

  it("asks for --context when the file has several contexts and none is current", async () => {
    const { "current-context": _none, ...config } = twoContexts();
    await write(config);
    await expect(store()).rejects.toThrow(/--context NAME/);
  });
});

describe("forgetSession", () => {
  it.each([
    {
      name: "removes the session's context and makes the one before current again",
      before: async () => (await write(twoContexts()), store()),
      want: { forgotten: { removed: "context", context: "alice@a", restored: "a" }, tokens: { a: "clk_a", b: "clk_b" }, current: "a" },
    },
    {
      name: "deletes the file login made once the session is gone",
      before: () => store({ server: "https://c.example" }),
      want: { forgotten: { removed: "file" }, tokens: {}, current: undefined },
    },
    {
      name: "removes only the token from a user login did not add",
      before: () => write(twoContexts()),
      expected: "clk_a",
      want: { forgotten: { removed: "token" }, tokens: { a: undefined, b: "clk_b" }, current: "a" },
    },
    {
      name: "leaves the file alone when it holds another token by now",
      before: async () => (await write(twoContexts()), store()),
      expected: "eyJ.other",
      want: { forgotten: undefined, tokens: { a: "clk_a", b: "clk_b", "alice@a": "eyJ.new" }, current: "alice@a" },
    },
  ])("$name", async ({ before, expected = "eyJ.new", want }) => {
    await before();
    expect(await forgetSession({ path, expected })).toEqual(want.forgotten);
    expect(await tokens()).toEqual(want.tokens);
    expect((await readKubeconfigFile(path))?.["current-context"]).toBe(want.current);
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
