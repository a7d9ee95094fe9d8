// The leakage test: secret values written through every path — REST create, dry-run, update, merge and
// JSON patch, server-side apply (YAML), kubectl client-side and server-side apply, rotate, generate, the
// CLI (create, apply, rotate, generate) and `claw run` — into a real TLS `claw server` at debug log
// level, then every byte it produced is scanned: the store files (SQLite and WAL) while it runs and
// after it stops, its log, every audit entry, every REST response (managedFields, tables, history, a
// watch stream open while the writes happened and one replayed from before them, errors), kubectl's and
// the CLI's output. Only the release and reveal answers (and the workload's environment) hold a value.

import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchStore } from "../api/audit/batch-store.js";
import { LAST_APPLIED } from "../api/secrets/last-applied.js";
import { resourceKey } from "../api/store/keys.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import { auditPaths } from "../api/types/audit-api.js";
import { SECURITY_API } from "../api/types/auth-api.js";
import type { Secret } from "../api/types/secret.js";
import { secretsPaths, type SecretValue } from "../api/types/secrets-api.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";
import { requireTool } from "../hack/testing/required-tool.js";
import { LeakScanner, randomValue, type Hit } from "./leak-scan.js";
import { RecordingClient, type Answer, type CallOptions, type Stream } from "./recording-client.js";

const kubectl = requireTool("kubectl", "install kubectl v1.32 (it is at /usr/bin/kubectl on claw's CI machines)");
const SECRETS = `${SECURITY_API}/secrets`;
const WORKLOAD = "leak-workload";
const KIND = "secrets.security.clawbernetes.com";

const probes = new LeakScanner();
let home: string;
let dataDir: string;
let server: ClawServerProcess;
let cli: CliHarness;
let api: RecordingClient;
let liveWatch: Stream;
let startRevision: string;

const call = (method: string, path: string, opts?: CallOptions) => api.call(method, path, opts);
const ok = async (answer: Promise<Answer>, status = 200) => {
  const a = await answer;
  expect(a.status, a.text).toBe(status);
  return JSON.parse(a.text) as Secret & Record<string, unknown>;
};

const run = promisify(execFile);
async function kc(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(kubectl.available ? kubectl.path : "kubectl", [...args, "--kubeconfig", server.adminConfig, "--cache-dir", join(home, "kube-cache")], { timeout: 30_000 });
  api.outputs.push({ source: `kubectl ${args.join(" ")}`, text: stdout + stderr });
  return stdout;
}
async function claw(args: string[], stdin?: string): Promise<string> {
  const r = await cli.run(args, { env: { CLAW_CONFIG: server.adminConfig, PATH: process.env.PATH }, ...(stdin !== undefined ? { stdin } : {}) });
  api.outputs.push({ source: `claw ${args.join(" ")}`, text: r.stdout + r.stderr });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const secret = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name }, spec: { allowedWorkloads: [WORKLOAD], ...spec } });
const manifest = (name: string, value: string) => `apiVersion: security.clawbernetes.com/v1\nkind: Secret\nmetadata:\n  name: ${name}\nspec:\n  allowedWorkloads: [${WORKLOAD}]\n  valueFrom:\n    value: ${value}\n`;
const file = (name: string, text: string) => {
  const path = join(home, "inputs", name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const versionOf = async (name: string) => (await ok(call("GET", `${SECRETS}/${name}`))).spec?.sealed?.version;
const report = (hits: Hit[]) => hits.map((h) => `${h.source}: ${h.probe} (${h.form}) in ${h.context}`);

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "claw-leakage-"));
  dataDir = join(home, "data");
  // The files kubectl and the CLI read values from: the input, apart from everything scanned.
  mkdirSync(join(home, "inputs"), { mode: 0o700 });
  server = await startClawServer({ dataDir, extraArgs: ["--log-level", "debug"] });
  api = await RecordingClient.forAdminConfig(server.url, server.adminConfig);
  cli = await CliHarness.create();
  startRevision = ((await ok(call("GET", SECRETS))).metadata as { resourceVersion: string }).resourceVersion;
  liveWatch = await api.stream(`${SECRETS}?watch=true&allowWatchBookmarks=true`);
  expect(liveWatch.status).toBe(200);
}, 60_000);
afterAll(async () => {
  liveWatch?.close();
  await server?.stop();
  await api?.close();
  await cli?.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe("secret values written through every path", () => {
  it("are accepted through the REST API: create, dry-run, update, merge and JSON patch, server-side apply, rotate, generate", async () => {
    expect((await ok(call("POST", SECRETS, { json: secret("by-create", { valueFrom: { value: probes.value("create") } }) }), 201)).spec?.sealed?.version).toBe(1);
    await ok(call("POST", `${SECRETS}?dryRun=All`, { json: secret("by-dry-run", { valueFrom: { value: probes.value("dry-run") } }) }), 201);

    await ok(call("POST", SECRETS, { json: secret("by-update", { valueFrom: { value: probes.value("update-1") } }) }), 201);
    // The in-process secrets controller writes status right after a create: PUT the object as read now, again on 409.
    let put: Answer | undefined;
    for (let attempt = 0; attempt < 10 && (!put || put.status === 409); attempt++) {
      const live = await ok(call("GET", `${SECRETS}/by-update`));
      put = await call("PUT", `${SECRETS}/by-update`, { json: { ...live, spec: { ...live.spec, valueFrom: { value: probes.value("update-2") } } } });
    }
    const updated = await ok(Promise.resolve(put!));
    expect(updated.spec?.sealed?.version).toBe(2);

    await ok(call("POST", SECRETS, { json: secret("by-merge-patch", { valueFrom: { value: probes.value("before-merge-patch") } }) }), 201);
    await ok(call("PATCH", `${SECRETS}/by-merge-patch`, { json: { spec: { valueFrom: { value: probes.value("merge-patch") } } }, contentType: "application/merge-patch+json" }));
    await ok(call("POST", SECRETS, { json: secret("by-json-patch", { valueFrom: { generate: {} } }) }), 201);
    await ok(call("PATCH", `${SECRETS}/by-json-patch`, { json: [{ op: "add", path: "/spec/valueFrom", value: { value: probes.value("json-patch") } }], contentType: "application/json-patch+json" }));

    for (const label of ["apply-1", "apply-2"])
      await ok(call("PATCH", `${SECRETS}/by-apply?fieldManager=leak-test`, { body: manifest("by-apply", probes.value(label)), contentType: "application/apply-patch+yaml" }), label === "apply-1" ? 201 : 200);
    expect(await versionOf("by-apply")).toBe(2);

    expect(await ok(call("POST", secretsPaths.rotate("by-create"), { json: { value: probes.value("rotate") } }), 201)).toMatchObject({ version: 2, source: "Value" });
    await ok(call("POST", SECRETS, { json: secret("by-generate", { valueFrom: { generate: { length: 48 } } }) }), 201);
    await ok(call("POST", SECRETS, { json: secret("by-rotate-generate", { valueFrom: { value: probes.value("before-generate") } }) }), 201);
    expect(await ok(call("POST", secretsPaths.rotate("by-rotate-generate"), { json: { generate: { length: 40, charset: "alphanumeric" } } }), 201)).toMatchObject({ version: 2, source: "Generated" });
  });

  it.skipIf(!kubectl.available)("are accepted through kubectl's client-side apply, whose last-applied annotation keeps no value, and its server-side apply", async () => {
    expect(await kc("apply", "-f", file("csa-1.yaml", manifest("by-kubectl", probes.value("kubectl-csa-1"))))).toContain("created");
    // Applied again: the annotation had no value, so kubectl sends it again, and the same value keeps its version.
    await kc("apply", "-f", file("csa-1.yaml", manifest("by-kubectl", probes.probes.get("kubectl-csa-1")!)));
    expect(await versionOf("by-kubectl")).toBe(1);
    await kc("apply", "-f", file("csa-2.yaml", manifest("by-kubectl", probes.value("kubectl-csa-2"))));
    expect(await versionOf("by-kubectl")).toBe(2);
    const annotation = (await ok(call("GET", `${SECRETS}/by-kubectl`))).metadata.annotations?.[LAST_APPLIED];
    expect(annotation).toBeDefined();
    const lastApplied = JSON.parse(annotation!) as { metadata: { name: string }; spec: Record<string, unknown> };
    expect(lastApplied).toMatchObject({ metadata: { name: "by-kubectl" }, spec: { allowedWorkloads: [WORKLOAD] } });
    expect(lastApplied.spec).not.toHaveProperty("valueFrom");
    expect(lastApplied.spec).not.toHaveProperty("sealed");

    expect(await kc("apply", "--server-side", "-f", file("ssa-1.yaml", manifest("by-kubectl-ssa", probes.value("kubectl-ssa-1"))))).toContain("serverside-applied");
    await kc("apply", "--server-side", "-f", file("ssa-2.yaml", manifest("by-kubectl-ssa", probes.value("kubectl-ssa-2"))));
    expect(await versionOf("by-kubectl-ssa")).toBe(2);
  });

  it("are accepted through the CLI: create from standard input and from a file, apply, rotate, generate", async () => {
    await claw(["secrets", "create", "by-cli", "--value-stdin", "--allowed-workloads", WORKLOAD], `${probes.value("cli-stdin")}\n`);
    await claw(["secrets", "create", "by-cli-file", "--file", file("value.txt", probes.value("cli-file")), "--allowed-workloads", WORKLOAD]);
    await claw(["secrets", "rotate", "by-cli", "--new-value", probes.value("cli-rotate")]);
    await claw(["secrets", "create", "by-cli-generate", "--generate", "--length", "40", "--allowed-workloads", WORKLOAD]);
    await claw(["apply", "-f", file("claw-apply.yaml", manifest("by-claw-apply", probes.value("claw-apply")))]);
    expect(await versionOf("by-cli")).toBe(2);
  });

  it("are refused without being echoed when the write is invalid or the object exists", async () => {
    const refused: [string, Promise<Answer>, number][] = [
      ["an existing name", call("POST", SECRETS, { json: secret("by-create", { valueFrom: { value: probes.value("conflict") } }) }), 409],
      ["both value and generate", call("POST", SECRETS, { json: secret("both", { valueFrom: { value: probes.value("one-of"), generate: {} } }) }), 422],
      ["an unknown field under strict validation", call("POST", `${SECRETS}?fieldValidation=Strict`, { json: secret("unknown", { valueFrom: { value: probes.value("strict") }, color: "red" }) }), 422],
      ["an invalid name", call("POST", SECRETS, { json: secret("Not_A_Name", { valueFrom: { value: probes.value("bad-name") } }) }), 422],
      ["a client's spec.sealed", call("POST", SECRETS, { json: secret("forged", { valueFrom: { value: probes.value("forged") }, sealed: { version: 1, keyId: "x", algorithm: "chacha20-poly1305", nonce: "AAAA", ciphertext: "AAAA" } }) }), 422],
      ["a rotation of a missing secret", call("POST", secretsPaths.rotate("missing"), { json: { value: probes.value("rotate-missing") } }), 404],
      ["a rotation with both value and generate", call("POST", secretsPaths.rotate("by-create"), { json: { value: probes.value("rotate-both"), generate: {} } }), 422],
      // A value a template forgot to quote: a JSON parser's message quotes the text around the error.
      // (Starting with a letter: after a digit the parser names only the position.)
      ["JSON that is not valid", call("POST", SECRETS, { body: JSON.stringify(secret("bad-json", { valueFrom: { value: "PLACEHOLDER" } })).replace('"PLACEHOLDER"', probes.add("bad-json", `Q${randomValue()}`)) }), 400],
      ["a JSON patch whose test fails", call("PATCH", `${SECRETS}/by-create`, { json: [{ op: "test", path: "/spec/valueFrom/value", value: probes.value("patch-test") }], contentType: "application/json-patch+json" }), 422],
      ["a JSON patch replacing a missing path", call("PATCH", `${SECRETS}/by-create`, { json: [{ op: "replace", path: "/spec/nothing/value", value: probes.value("patch-replace") }], contentType: "application/json-patch+json" }), 422],
      ["YAML that is not valid", call("PATCH", `${SECRETS}/bad-yaml?fieldManager=leak-test`, { body: manifest("bad-yaml", `${probes.value("bad-yaml")}: [: ,`), contentType: "application/apply-patch+yaml" }), 400],
    ];
    const hits: Hit[] = [];
    for (const [what, answer, status] of refused) {
      const a = await answer;
      expect(a.status, `${what}: ${a.text}`).toBe(status);
      hits.push(...probes.scan(what, a.text));
    }
    expect(report(hits)).toEqual([]);
  });

  it("leave only through the release and reveal answers, and reach a workload started by claw run", async () => {
    for (const [label, name] of [["generate", "by-generate"], ["rotate-generate", "by-rotate-generate"], ["cli-generate", "by-cli-generate"]] as const) {
      const a = await call("POST", secretsPaths.reveal(name), { answer: true });
      expect(a.status, a.text).toBe(200);
      probes.add(label, (JSON.parse(a.text) as SecretValue).value);
    }
    const current: [string, string][] = [
      ["by-create", "rotate"], ["by-update", "update-2"], ["by-merge-patch", "merge-patch"], ["by-json-patch", "json-patch"], ["by-apply", "apply-2"],
      ["by-generate", "generate"], ["by-rotate-generate", "rotate-generate"], ["by-cli", "cli-rotate"], ["by-cli-file", "cli-file"], ["by-cli-generate", "cli-generate"], ["by-claw-apply", "claw-apply"],
      ...(kubectl.available ? ([["by-kubectl", "kubectl-csa-2"], ["by-kubectl-ssa", "kubectl-ssa-2"]] as [string, string][]) : []),
    ];
    for (const [name, label] of current) {
      const released = await call("POST", secretsPaths.release(name), { json: { workload: { name: WORKLOAD } }, answer: true });
      expect(released.status, released.text).toBe(200);
      expect(JSON.parse(released.text)).toMatchObject({ kind: "SecretValue", name, value: probes.probes.get(label) });
      const revealed = await call("POST", secretsPaths.reveal(name), { answer: true });
      expect(JSON.parse(revealed.text)).toMatchObject({ value: probes.probes.get(label) });
    }
    // The scan finds what it looks for: every answer holds its value.
    expect(api.answers.filter((a) => probes.scan(a.source, a.text).length === 0).map((a) => a.source)).toEqual([]);
    expect((await call("POST", secretsPaths.release("by-create"), { json: { workload: { name: "intruder" } } })).status).toBe(403);

    const sha = (value: string) => createHash("sha256").update(value).digest("hex");
    const child = 'const c=require("crypto"),fs=require("fs"),h=(s)=>c.createHash("sha256").update(s).digest("hex");console.log(h(process.env.LEAK_ENV),h(fs.readFileSync(process.env.CLAW_SECRETS_DIR+"/leak/value.txt","utf8")))';
    const out = await claw(["run", "--workload", WORKLOAD, "--secret", "LEAK_ENV=by-create", "--secret-mount", "/leak/value.txt=by-apply", "--", process.execPath, "-e", child]);
    expect(out).toContain(`${sha(probes.probes.get("rotate")!)} ${sha(probes.probes.get("apply-2")!)}`);
  });

  it("never appear in what reading returns: objects, lists, tables, managedFields, history, reviews, audit, metrics, kubectl and the CLI", async () => {
    const names = ((await ok(call("GET", SECRETS))).items as Secret[]).map((s) => s.metadata.name);
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const name of names) {
      const object = await ok(call("GET", `${SECRETS}/${name}`));
      expect(object.metadata.managedFields?.length ?? 0).toBeGreaterThan(0);
      await ok(call("GET", secretsPaths.history(name)));
      await ok(call("POST", secretsPaths.accessReview(name), { json: { workload: { name: WORKLOAD } } }));
    }
    await ok(call("GET", SECRETS, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" }));
    await ok(call("GET", `${auditPaths.events}?limit=5000`));
    expect((await call("GET", auditPaths.batches, { accept: "application/x-ndjson" })).status).toBe(200);
    expect((await call("GET", "/metrics", { accept: "text/plain" })).status).toBe(200);
    await ok(call("DELETE", `${SECRETS}/by-merge-patch`));

    if (kubectl.available) {
      await kc("get", KIND, "-o", "yaml", "--show-managed-fields");
      await kc("get", KIND);
      await kc("describe", KIND);
    }
    for (const args of [["get", "secrets", "-o", "yaml"], ["get", "secrets"], ["describe", "secret", "by-cli"], ["secrets", "list"], ["secrets", "history", "by-cli"], ["secrets", "can-read", "by-cli", "--workload", WORKLOAD]]) await claw(args);
  });

  it("never appear in any response, watch event, tool output, log line, audit entry or byte of the store", async () => {
    // A marker written last: once each watch has delivered it, it has delivered every write before it.
    await ok(call("POST", SECRETS, { json: secret("zz-marker", { valueFrom: { generate: {} } }) }), 201);
    const replay = await api.stream(`${SECRETS}?watch=true&resourceVersion=${startRevision}`);
    await Promise.all([liveWatch.until('"zz-marker"'), replay.until('"zz-marker"')]);
    replay.close();
    liveWatch.close();
    for (const name of ["by-create", "by-kubectl", "by-cli", "by-claw-apply"].filter((n) => kubectl.available || n !== "by-kubectl")) expect(replay.text()).toContain(`"${name}"`);

    const running = probes.scanFiles("data dir (running)", dataDir);
    expect(running.files).toEqual(expect.arrayContaining(["store.db", "store.db-wal"]));
    expect(statSync(join(dataDir, "store.db-wal")).size).toBeGreaterThan(0);
    const hits = [
      ...api.outputs.flatMap((o) => probes.scan(o.source, o.text)),
      ...probes.scan("watch (open during the writes)", liveWatch.text()),
      ...probes.scan("watch (replayed from before the writes)", replay.text()),
      ...running.hits,
      ...probes.scanFiles("the CLI's home", cli.homeDir).hits,
    ];
    await server.stop();
    hits.push(...probes.scan("the server's stdout and stderr", server.output()), ...probes.scanFiles("data dir (stopped)", dataDir).hits);

    const store = openSqliteStore({ path: join(dataDir, "store.db") });
    try {
      const batches = new BatchStore(store);
      const entries = [];
      for await (const record of batches.batchesFrom((await batches.firstBatch()) ?? 1)) entries.push(...record.entries);
      expect(entries.filter((e) => e.type === "secrets.accessed").length).toBeGreaterThan(20);
      hits.push(...probes.scan("audit entries", JSON.stringify(entries)));
      if (kubectl.available) {
        const stored = JSON.parse((await store.get(resourceKey("security.clawbernetes.com", "secrets", "by-kubectl")))!.value) as Secret;
        expect(JSON.parse(stored.metadata.annotations![LAST_APPLIED]!).spec).not.toHaveProperty("valueFrom");
      }
    } finally {
      await store.close();
    }
    expect(probes.probes.size).toBeGreaterThanOrEqual(25);
    expect(report(hits)).toEqual([]);
  });
});
