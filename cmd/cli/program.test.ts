import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import YAML from "yaml";
import { fakeKinds, startFakeApiServer, type FakeApiServer } from "../../api/client/testing/fake-api-server.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { buildKubeconfig, serializeKubeconfig } from "./config/kubeconfig.js";
import { ExitCode } from "./exit-codes.js";
import { CliHarness } from "./testing/cli-harness.js";

const TOKEN = "clk_test_secret_value";
const role = (name: string, description = "d", labels?: Record<string, string>): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { description, permissions: ["nodes:read"] },
});
const yamlOf = (...objs: KubeObject[]) => objs.map((o) => YAML.stringify(o)).join("---\n");

let server: FakeApiServer;
let claw: CliHarness;

beforeAll(async () => {
  claw = await CliHarness.create();
});
afterAll(() => claw.dispose());
beforeEach(async () => {
  server = await startFakeApiServer({
    kinds: fakeKinds,
    token: TOKEN,
    now: "2026-01-01T00:55:00Z",
    forbidden: ["delete users"],
    validate: (o) => (o.metadata.name.startsWith("bad") ? [{ field: "spec.permissions[0]", message: 'must be "resource:action"' }] : []),
  });
  await mkdir(join(claw.homeDir, ".claw"), { recursive: true });
  await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: server.url, token: TOKEN })), { mode: 0o600 });
});
afterEach(() => server.close());

describe("claw apply", () => {
  it("prints created, then unchanged, then configured", async () => {
    const file = join(claw.homeDir, "roles.yaml");
    await writeFile(file, yamlOf(role("ml-engineer"), role("viewer")));
    expect(await claw.run(["apply", "-f", file])).toEqual({
      code: 0,
      stdout: "role.security.clawbernetes.com/ml-engineer created\nrole.security.clawbernetes.com/viewer created\n",
      stderr: "",
    });
    expect((await claw.run(["apply", "-f", file])).stdout).toBe("role.security.clawbernetes.com/ml-engineer unchanged\nrole.security.clawbernetes.com/viewer unchanged\n");
    await writeFile(file, yamlOf(role("ml-engineer", "changed"), role("viewer")));
    expect((await claw.run(["apply", "-f", file])).stdout).toBe("role.security.clawbernetes.com/ml-engineer configured\nrole.security.clawbernetes.com/viewer unchanged\n");
    expect(server.requests.some((r) => r.method === "PATCH" && r.url.includes("fieldManager=claw") && !r.url.includes("force"))).toBe(true);
  });

  it("reads standard input and sends force with --force-conflicts", async () => {
    const run = await claw.run(["apply", "-f", "-", "--force-conflicts"], { stdin: yamlOf(role("a")) });
    expect(run.stdout).toBe("role.security.clawbernetes.com/a created\n");
    expect(server.requests.find((r) => r.method === "PATCH")?.url).toContain("force=true");
  });

  it("reports a failing document, applies the rest, and exits with its code", async () => {
    const run = await claw.run(["apply", "-f", "-"], { stdin: yamlOf(role("a"), role("bad-one"), role("c")) });
    expect(run.stdout).toBe("role.security.clawbernetes.com/a created\nrole.security.clawbernetes.com/c created\n");
    expect(run.stderr).toBe(
      'Error from server (Invalid) applying "<stdin>" (document 2): Role.security.clawbernetes.com "bad-one" is invalid:\n  * spec.permissions[0]: must be "resource:action"\n',
    );
    expect(run.code).toBe(ExitCode.Invalid);
  });

  it("names a document without kind and a kind the server does not serve", async () => {
    const stdin = `${yamlOf(role("a"))}---\napiVersion: v1\nmetadata: {name: x}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: y}\n`;
    const run = await claw.run(["apply", "-f", "-"], { stdin });
    expect(run.stdout).toBe("role.security.clawbernetes.com/a created\n");
    expect(run.stderr).toContain('error: "<stdin>" (document 2): missing kind');
    expect(run.stderr).toContain('error: "<stdin>" (document 3): the server does not serve kind Deployment of apiVersion apps/v1');
    expect(run.code).toBe(ExitCode.Usage);
  });

  it("asks for -f", async () => {
    const run = await claw.run(["apply"]);
    expect(run).toMatchObject({ code: ExitCode.Usage, stderr: "error: claw apply needs -f FILE, -f DIR or -f - (standard input)\n" });
  });
});

describe("claw get", () => {
  beforeEach(() => {
    server.put("roles", role("ml-engineer", "ML people", { team: "ml" }));
    server.put("roles", role("viewer", "read only"));
  });

  it.each([
    { name: "prints a table by plural", args: ["get", "roles"], want: "NAME          DESCRIPTION   AGE\nml-engineer   ML people     5m\nviewer        read only     5m\n" },
    { name: "prints one row by singular and name", args: ["get", "role", "viewer"], want: "NAME     DESCRIPTION   AGE\nviewer   read only     5m\n" },
    { name: "accepts a short name and a label selector", args: ["get", "rl", "-l", "team=ml"], want: "NAME          DESCRIPTION   AGE\nml-engineer   ML people     5m\n" },
    { name: "shows wide columns with -o wide", args: ["get", "role/viewer", "-o", "wide"], want: "NAME     DESCRIPTION   AGE   PERMISSIONS\nviewer   read only     5m    1\n" },
    { name: "prints names with -o name", args: ["get", "roles", "-o", "name"], want: "role.security.clawbernetes.com/ml-engineer\nrole.security.clawbernetes.com/viewer\n" },
  ])("$name", async ({ args, want }) => {
    expect(await claw.run(args)).toEqual({ code: 0, stdout: want, stderr: "" });
  });

  it("prints one object as YAML and several as a JSON List", async () => {
    const one = YAML.parse((await claw.run(["get", "role", "viewer", "-o", "yaml"])).stdout) as KubeObject;
    expect(one).toMatchObject({ kind: "Role", metadata: { name: "viewer" } });
    const list = JSON.parse((await claw.run(["get", "roles", "-o", "json"])).stdout) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe("List");
    expect(list.items.map((o) => o.metadata.name)).toEqual(["ml-engineer", "viewer"]);
  });

  it("prints the rows found and the NotFound error of the rest", async () => {
    const run = await claw.run(["get", "role", "viewer", "nope"]);
    expect(run).toEqual({
      code: ExitCode.NotFound,
      stdout: "NAME     DESCRIPTION   AGE\nviewer   read only     5m\n",
      stderr: 'Error from server (NotFound): roles.security.clawbernetes.com "nope" not found\n',
    });
  });

  it("says so when there is nothing", async () => {
    expect(await claw.run(["get", "users"])).toEqual({ code: 0, stdout: "", stderr: "No resources found\n" });
  });

  it("names the served kinds for an unknown kind", async () => {
    const run = await claw.run(["get", "pods"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toBe('error: the server doesn\'t have a resource type "pods"; it serves: roles (rl), users (usr)\n');
  });

  it("watches, printing changed rows until the signal aborts", async () => {
    const abort = new AbortController();
    const { stdout, done } = claw.start(["get", "roles", "-w"], { signal: abort.signal });
    await stdout.until("viewer");
    server.put("roles", role("new-role", "fresh"));
    await stdout.until("new-role");
    server.remove("roles", "viewer");
    await stdout.until((t) => t.split("\n").filter((l) => l.startsWith("viewer")).length === 2);
    abort.abort();
    const run = await done;
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "NAME          DESCRIPTION   AGE",
        "ml-engineer   ML people     5m",
        "viewer        read only     5m",
        "new-role      fresh         5m",
        "viewer        read only     5m",
        "",
      ].join("\n"),
    );
  });
});

describe("claw describe", () => {
  it("prints the object and its conditions", async () => {
    server.put("roles", {
      ...role("ml-engineer"),
      status: { conditions: [{ type: "Ready", status: "True", reason: "Resolved", message: "ok", lastTransitionTime: "2026-01-01T00:58:00Z" }] },
    });
    const run = await claw.run(["describe", "role", "ml-engineer"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Name:               ml-engineer\nKind:               Role\n");
    expect(run.stdout).toContain("Spec:\n  description:  d\n  permissions:\n    - nodes:read\n");
    expect(run.stdout).toContain("  Ready  True    Resolved  ok       2m ago\n");
  });
});

describe("claw delete", () => {
  beforeEach(() => {
    server.put("roles", role("a"));
    server.put("roles", role("b"));
  });

  it("deletes by kind and names, as kubectl prints it", async () => {
    expect(await claw.run(["delete", "role", "a", "b"])).toEqual({
      code: 0,
      stdout: 'role.security.clawbernetes.com "a" deleted\nrole.security.clawbernetes.com "b" deleted\n',
      stderr: "",
    });
  });

  it("deletes the objects of a file and ignores missing ones when asked", async () => {
    const run = await claw.run(["delete", "-f", "-", "--ignore-not-found"], { stdin: yamlOf(role("a"), role("zzz")) });
    expect(run).toEqual({ code: 0, stdout: 'role.security.clawbernetes.com "a" deleted\n', stderr: "" });
  });

  it("reports a missing object with NotFound", async () => {
    const run = await claw.run(["delete", "rl", "zzz"]);
    expect(run).toEqual({ code: ExitCode.NotFound, stdout: "", stderr: 'Error from server (NotFound): roles.security.clawbernetes.com "zzz" not found\n' });
  });

  it("passes on a 403 from the server", async () => {
    server.put("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "bob" }, spec: {} });
    const run = await claw.run(["delete", "user", "bob"]);
    expect(run).toEqual({ code: ExitCode.Forbidden, stdout: "", stderr: 'Error from server (Forbidden): user "tester" cannot delete resource "users"\n' });
  });

  it("wants names, a selector or --all", async () => {
    expect((await claw.run(["delete", "roles"])).stderr).toBe("error: say which roles to delete: give names, -l SELECTOR or --all\n");
  });
});

describe("connection and credentials", () => {
  it("tells how to start a server when none listens", async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    await new Promise<void>((r) => s.close(() => r()));
    const run = await claw.run(["get", "roles", "--server", url]);
    expect(run).toEqual({
      code: ExitCode.Unreachable,
      stdout: "",
      stderr: `cannot reach the claw server at ${url}: connection refused. Start one with 'claw server' (or pass --server / set it in your config) (the address comes from --server)\n`,
    });
  });

  it("names the rejected credential's source, never its value", async () => {
    const run = await claw.run(["get", "roles"], { env: { CLAWBERNETES_API_KEY: "clk_wrong_value" } });
    expect(run.code).toBe(ExitCode.Unauthorized);
    expect(run.stderr).toContain("rejected the API key from CLAWBERNETES_API_KEY");
    expect(run.stderr).not.toContain("clk_wrong_value");
  });

  it("uses the credential of the environment", async () => {
    await writeFile(join(claw.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: server.url })));
    expect((await claw.run(["get", "roles"], { env: { CLAWBERNETES_TOKEN: TOKEN } })).code).toBe(0);
  });
});

describe("claw version, config and usage", () => {
  it("prints the client and server versions", async () => {
    expect(await claw.run(["version"])).toEqual({ code: 0, stdout: "Client Version: v9.9.9-test\nServer Version: v0.1.0-fake\n", stderr: "" });
  });

  it("prints a kubeconfig with the resolved server and credential", async () => {
    const run = await claw.run(["config", "kubeconfig"], { env: { CLAWBERNETES_API_KEY: TOKEN } });
    const config = YAML.parse(run.stdout) as { clusters: { cluster: { server: string } }[]; users: { user: { token: string } }[]; "current-context": string };
    expect(config.clusters[0]!.cluster.server).toBe(server.url);
    expect(config.users[0]!.user.token).toBe(TOKEN);
    expect(config["current-context"]).toBe("claw");
  });

  it("exits 2 on an unknown option and 0 on --help", async () => {
    expect((await claw.run(["get", "roles", "--bogus"])).code).toBe(ExitCode.Usage);
    const help = await claw.run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes:");
  });

  it("lists the served kinds", async () => {
    expect((await claw.run(["api-resources"])).stdout).toBe(
      "NAME    SHORTNAMES   APIVERSION                     NAMESPACED   KIND\nroles   rl           security.clawbernetes.com/v1   false        Role\nusers   usr          security.clawbernetes.com/v1   false        User\n",
    );
  });
});
