// `claw secrets` end to end against the real API server (test/envtest.ts): values in, never out except
// through reveal; versions and history; policies that accumulate; the access review's answer and rule.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../../../api/machinery/clock.js";
import { SECURITY_API } from "../../../api/types/auth-api.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
let env: EnvTest;
let admin: CliHarness;
let files: string;

const claw = (...args: string[]) => admin.run(args);
const get = async <T>(path: string): Promise<T> => (await (await env.request(`${SECURITY_API}/${path}`)).json()) as T;

beforeAll(async () => {
  env = await startEnvTest({ clock });
  admin = await CliHarness.create(clock);
  await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
  await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
  files = await mkdtemp(join(tmpdir(), "claw-secrets-files-"));
  await writeFile(join(files, "cert.pem"), PEM);
});
afterAll(async () => {
  await admin?.dispose();
  await env?.stop();
  await rm(files, { recursive: true, force: true });
});

describe("claw secrets create and reveal", () => {
  it.each([
    { name: "takes a value from standard input without its final line break", args: ["--value-stdin"], stdin: "from-stdin-value\n", want: "from-stdin-value", warns: false },
    { name: "takes a value from a flag, and warns that it lands in shell history", args: ["--value", "from-flag-value"], want: "from-flag-value", warns: true },
    { name: "takes a file exactly as it is, final line break included", args: ["--file", "FILE"], want: PEM, warns: false },
  ])("$name", async ({ args, stdin, want, warns }) => {
    const name = `v-${Math.abs(want.length)}-${args[0]!.slice(2)}`;
    const created = await admin.run(["secrets", "create", name, ...args.map((a) => (a === "FILE" ? join(files, "cert.pem") : a)), "--allowed-workloads", "api-server"], { ...(stdin ? { stdin } : {}) });
    expect(created).toMatchObject({ code: 0, stdout: `secret.security.clawbernetes.com/${name} created (version 1)\n` });
    expect(created.stderr.includes("Warning: --value leaves the secret in your shell history")).toBe(warns);
    expect(await get<{ spec: { valueFrom?: unknown } }>(`secrets/${name}`)).not.toHaveProperty("spec.valueFrom");
    const revealed = await claw("secrets", "reveal", name);
    expect(revealed).toEqual({ code: 0, stdout: want, stderr: "" });
  });

  it("generates a value of the charset and length asked, which no command printed before reveal", async () => {
    const created = await claw("secrets", "create", "generated", "--generate", "--length", "40", "--charset", "hex", "--description", "made by the server");
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(`note: no workload may read "generated" yet`);
    expect((await claw("secrets", "reveal", "generated")).stdout).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each([
    { name: "refuses two sources at once", args: ["--value", "x", "--generate"], message: "give one of --value, --value-stdin, --file and --generate, not --value and --generate" },
    { name: "refuses a generator length out of bounds", args: ["--generate", "--length", "8"], message: "--length must be a whole number from 16 to 4096" },
    { name: "refuses --charset with a value", args: ["--value", "x", "--charset", "hex"], message: "--charset go with --generate, not with --value" },
    { name: "refuses a rotation interval of zero days", args: ["--generate", "--rotate-days", "0"], message: "--rotate-days must be a whole number of days from 1 to 3650" },
  ])("$name, with exit 2", async ({ args, message }) => {
    const run = await claw("secrets", "create", "refused", ...args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(message);
  });

  it("lists secrets with their version, readers, rotation and key, never a value", async () => {
    expect((await claw("secrets", "create", "api-key", "--value", "key123", "--rotate-days", "30", "--allowed-workloads", "*")).code).toBe(0);
    const list = await claw("secrets", "list");
    expect(list.stdout).toMatch(/^NAME\s+VERSION\s+ALLOWED WORKLOADS\s+AUTO ROTATE\s+NEXT ROTATION\s+KEY ID\s+AGE\n/);
    expect(list.stdout).toMatch(new RegExp(`^api-key\\s+1\\s+\\*\\s+every 30d\\s+\\S+\\s+${env.keyring.primaryId}\\s+0s$`, "m"));
    expect(list.stdout).not.toContain("key123");
  });
});

describe("claw secrets rotate, history and config", () => {
  it("rotates from each source and lists every version with its source, actor and key", async () => {
    expect((await claw("secrets", "create", "database-password", "--value", "super-secret-password", "--allowed-workloads", "api-server,worker")).code).toBe(0);
    const rotations = [
      { args: ["--new-value", "new-super-secret"], want: "new-super-secret" },
      { args: ["--from-file", join(files, "cert.pem")], want: PEM },
      { args: ["--generate", "--length", "16"], want: /^[A-Za-z0-9]{16}$/ },
    ];
    for (const [i, r] of rotations.entries()) {
      const run = await claw("secrets", "rotate", "database-password", ...r.args);
      expect(run.stdout).toMatch(new RegExp(`^secret "database-password" rotated: version ${i + 2} \\((Value|Generated), sealed under key \\S+\\)\\n$`));
      const value = (await claw("secrets", "reveal", "database-password")).stdout;
      if (typeof r.want === "string") expect(value).toBe(r.want);
      else expect(value).toMatch(r.want);
    }
    const history = await claw("secrets", "history", "database-password");
    const lines = history.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VERSION\s+CREATED\s+SOURCE\s+ACTOR\s+KEY ID\s+CURRENT$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).filter(Boolean))).toEqual([
      ["1", "2026-03-01T08:00:00Z", "Value", "admin", env.keyring.primaryId, "no"],
      ["2", "2026-03-01T08:00:00Z", "Value", "admin", env.keyring.primaryId, "no"],
      ["3", "2026-03-01T08:00:00Z", "Value", "admin", env.keyring.primaryId, "no"],
      ["4", "2026-03-01T08:00:00Z", "Generated", "admin", env.keyring.primaryId, "yes"],
    ]);
    expect(history.stdout + (await claw("secrets", "list")).stdout).not.toContain("new-super-secret");
  });

  it("refuses a rotation that says nowhere where the new value comes from", async () => {
    const run = await claw("secrets", "rotate", "database-password");
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("say where the new value comes from: --new-value V, --value-stdin, --from-file FILE or --generate");
  });

  it.each([
    { name: "turns automatic rotation on with an interval", args: ["--auto-rotate", "--rotate-days", "30"], stdout: "rotates automatically every 30 days", rotation: { autoRotate: true, intervalDays: 30 } },
    { name: "turns it off and keeps the interval", args: ["--no-auto-rotate"], stdout: "automatic rotation off (interval every 30 days)", rotation: { autoRotate: false, intervalDays: 30 } },
  ])("config $name", async ({ args, stdout, rotation }) => {
    const run = await claw("secrets", "config", "database-password", ...args);
    expect(run).toEqual({ code: 0, stdout: `secret "database-password" configured: ${stdout}\n`, stderr: "" });
    expect((await get<{ spec: { rotation: unknown } }>("secrets/database-password")).spec.rotation).toEqual(rotation);
  });
});

describe("claw secrets policy set and can-read", () => {
  it("adds each of the guide's three invocations to one policy", async () => {
    const runs = [
      await claw("secrets", "policy", "set", "database-password", "--allow-workloads", "api-server,worker,migration-job"),
      await claw("secrets", "policy", "set", "database-password", "--allow-labels", "env=production,team=backend"),
      await claw("secrets", "policy", "set", "database-password", "--deny-workloads", "debug-container"),
      await claw("secrets", "policy", "set", "database-password", "--deny-workloads", "debug-container"),
    ];
    expect(runs.map((r) => r.stdout.split("\n")[0])).toEqual(["created", "configured", "configured", "unchanged"].map((w) => `secretpolicy.security.clawbernetes.com/database-password ${w}`));
    expect(runs[3]!.stdout).toContain("  allow labels:     env=production,team=backend\n  deny workloads:   debug-container\n");
    expect((await get<{ spec: unknown }>("secretpolicies/database-password")).spec).toEqual({
      secret: "database-password",
      allowWorkloads: ["api-server", "worker", "migration-job"],
      allowLabels: { env: "production", team: "backend" },
      denyWorkloads: ["debug-container"],
    });
  });

  it("loses no name when several invocations run at once", async () => {
    const names = ["w1", "w2", "w3", "w4", "w5"];
    const runs = await Promise.all(names.map((n) => claw("secrets", "policy", "set", "database-password", "--allow-workloads", n)));
    expect(runs.map((r) => r.code)).toEqual(names.map(() => 0));
    const spec = (await get<{ spec: { allowWorkloads: string[] } }>("secretpolicies/database-password")).spec;
    expect([...spec.allowWorkloads].sort()).toEqual(["api-server", "migration-job", "worker", ...names].sort());
  });

  it.each([
    { name: "allows a workload the secret names", args: ["--workload", "api-server"], code: 0, stdout: 'yes\nallowed by Secret "database-password" spec.allowedWorkloads: "api-server"\n' },
    { name: "allows a workload the policy names", args: ["--workload", "migration-job"], code: 0, stdout: 'yes\nallowed by SecretPolicy "database-password" spec.allowWorkloads: "migration-job"\n' },
    { name: "allows by labels when the workload has every one", args: ["--workload", "batch", "--labels", "env=production,team=backend,tier=x"], code: 0, stdout: 'yes\nallowed by SecretPolicy "database-password" spec.allowLabels env=production,team=backend\n' },
    { name: "refuses when only some labels match", args: ["--workload", "batch", "--labels", "env=production"], code: 1, stdout: /^no\nno rule allows workload "batch": / },
    { name: "refuses a denied workload even with matching labels: deny wins", args: ["--workload", "debug-container", "--labels", "env=production,team=backend"], code: 1, stdout: 'no\ndenied by SecretPolicy "database-password" spec.denyWorkloads: "debug-container"\n' },
  ])("can-read $name", async ({ args, code, stdout }) => {
    const run = await claw("secrets", "can-read", "database-password", ...args);
    expect(run.code).toBe(code);
    if (typeof stdout === "string") expect(run.stdout).toBe(stdout);
    else expect(run.stdout).toMatch(stdout);
  });

  it("refuses malformed labels before asking the server", async () => {
    const run = await claw("secrets", "can-read", "database-password", "--workload", "batch", "--labels", "env");
    expect(run).toMatchObject({ code: ExitCode.Usage, stderr: 'error: --labels: "env" is not key=value, such as env=production\n' });
  });
});

describe("claw secrets delete", () => {
  it("deletes the secret, says the policy stays, and reveal then finds nothing", async () => {
    const run = await claw("secrets", "delete", "database-password");
    expect(run.stdout).toBe('secret.security.clawbernetes.com "database-password" deleted\n');
    expect(run.stderr).toContain(`note: the SecretPolicy "database-password" stays`);
    expect((await claw("secrets", "reveal", "database-password")).code).toBe(ExitCode.NotFound);
    expect((await claw("secrets", "delete", "database-password")).code).toBe(ExitCode.NotFound);
  });
});
