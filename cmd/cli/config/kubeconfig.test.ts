import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildKubeconfig, parseKubeconfig, readKubeconfigFile, serializeKubeconfig, writeKubeconfigFile } from "./kubeconfig.js";

describe("parseKubeconfig", () => {
  it.each([
    { name: "rejects text that is not YAML", text: "a: [", want: /f is not valid YAML/ },
    { name: "rejects a top level that is not a mapping", text: "- a", want: /f must be a kubeconfig mapping/ },
    { name: "names a cluster without a server", text: "clusters: [{name: c, cluster: {}}]", want: "f: clusters[0].cluster.server must be a URL string" },
    { name: "names a user token that is not a string", text: "users: [{name: u, user: {token: 5}}]", want: "f: users[0].user.token must be a string" },
    { name: "names a context without a cluster", text: "contexts: [{name: x, context: {user: u}}]", want: "f: contexts[0].context.cluster must be a cluster name" },
    { name: "names an insecure flag that is not a boolean", text: "clusters: [{name: c, cluster: {server: s, insecure-skip-tls-verify: 'yes'}}]", want: "f: clusters[0].cluster.insecure-skip-tls-verify must be true or false" },
  ])("$name", ({ text, want }) => {
    expect(() => parseKubeconfig(text, "f")).toThrow(want);
  });

  it("reads an empty file as an empty config", () => {
    expect(parseKubeconfig("", "f")).toEqual({ apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] });
  });

  it("round-trips what buildKubeconfig makes", () => {
    const config = buildKubeconfig({ server: "https://127.0.0.1:8080", user: "admin", token: "clk_x", cluster: { "certificate-authority-data": "Q0E=" } });
    expect(parseKubeconfig(serializeKubeconfig(config), "f")).toEqual(config);
    expect(config.contexts).toEqual([{ name: "claw", context: { cluster: "claw", user: "admin" } }]);
  });

  it("keeps the extensions of the file and of its contexts, as kubectl does", () => {
    const mark = [{ name: "session.claw.clawbernetes.com", extension: { previousContext: "claw" } }];
    const base = buildKubeconfig({ server: "https://127.0.0.1:8080" });
    const config = { ...base, contexts: [{ name: "claw", context: { cluster: "claw", user: "claw", extensions: mark } }], extensions: mark };
    expect(parseKubeconfig(serializeKubeconfig(config), "f")).toEqual(config);
  });
});

describe("writeKubeconfigFile", () => {
  it("creates the folder and writes the file with mode 0600", async () => {
    const dir = await mkdtemp(join(tmpdir(), "claw-kc-"));
    try {
      const path = join(dir, "sub", "config");
      const config = buildKubeconfig({ server: "http://127.0.0.1:8080", token: "clk_x" });
      await writeKubeconfigFile(path, config);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(await readKubeconfigFile(path)).toEqual(config);
      expect(await readFile(path, "utf8")).toContain("current-context: claw");
      expect(await readKubeconfigFile(join(dir, "missing"))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
