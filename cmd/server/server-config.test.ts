import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadServerConfig, parseEndpoints, parseListen } from "./server-config.js";

const dir = mkdtempSync(join(tmpdir(), "claw-config-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("loadServerConfig", () => {
  it("defaults to 127.0.0.1:8080, ~/.claw and the embedded store", () => {
    const c = loadServerConfig({}, "/home/u");
    expect(c).toMatchObject({ listen: { host: "127.0.0.1", port: 8080 }, dataDir: "/home/u/.claw", etcdEndpoints: [] });
  });

  it("reads [server] and [store] from gateway.toml and lets flags override them", () => {
    const path = file("a.toml", '[server]\nlisten = "0.0.0.0:9000"\ndata_dir = "~/claw-data"\n[store]\netcd_endpoints = ["http://10.0.0.5:2379"]\n[auth.jwt]\nsecret_env = "X"\n');
    const fromFile = loadServerConfig({ config: path }, "/home/u");
    expect(fromFile).toMatchObject({ listen: { host: "0.0.0.0", port: 9000 }, dataDir: "/home/u/claw-data", etcdEndpoints: ["http://10.0.0.5:2379"] });
    expect(fromFile.sections.auth).toEqual({ jwt: { secret_env: "X" } });
    const overridden = loadServerConfig({ config: path, listen: "[::1]:7000", etcdEndpoints: "127.0.0.1:2379" }, "/home/u");
    expect(overridden.listen).toEqual({ host: "::1", port: 7000 });
    expect(overridden.etcdEndpoints).toEqual(["http://127.0.0.1:2379"]);
  });

  it.each([
    ["invalid TOML, naming the line", "[server]\nlisten = \n", /line 2/],
    ["an unknown section", "[gateway]\nx = 1\n", /unknown section\(s\) \[gateway\]/],
    ["a listen address without a port", '[server]\nlisten = "localhost"\n', /not HOST:PORT/],
    ["a non-string data_dir", "[server]\ndata_dir = 5\n", /data_dir must be a string/],
    ["a tiny request limit", "[server]\nmax_request_bytes = 10\n", /at least 1024/],
    ["a malformed etcd endpoint", '[store]\netcd_endpoints = ["ftp://x"]\n', /not an etcd endpoint/],
  ])("refuses %s with a ConfigError", (_name, text, message) => {
    const path = file(`bad-${Math.random()}.toml`, text);
    expect(() => loadServerConfig({ config: path }, "/home/u")).toThrowError(message);
    expect(() => loadServerConfig({ config: path }, "/home/u")).toThrowError(ConfigError);
  });

  it("says which file it cannot read", () => {
    expect(() => loadServerConfig({ config: join(dir, "missing.toml") }, "/h")).toThrowError(/cannot read the config file .*missing\.toml: ENOENT/);
  });
});

describe("address parsing", () => {
  it.each([
    ["127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["[::1]:8443", { host: "::1", port: 8443 }],
    [":9000", { host: "0.0.0.0", port: 9000 }],
  ])("parses %s", (text, want) => expect(parseListen(text, "--listen")).toEqual(want));

  it("refuses a port above 65535", () => expect(() => parseListen("h:70000", "--listen")).toThrowError(/--listen/));
  it("accepts a comma-separated endpoint list", () => expect(parseEndpoints("a:1, http://b:2", "--etcd-endpoints")).toEqual(["http://a:1", "http://b:2"]));
});
