// Every example in manifests/ is valid against crds/ as it is, and the examples refer to one another correctly.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { GROUP, type KubeObject } from "../api/machinery/meta.js";
import { loadCrdRegistry } from "../api/schema/crd-registry.js";
import { findRepoRoot } from "../api/schema/repo-root.js";
import { createValidator } from "../api/schema/validator.js";

const dir = join(findRepoRoot(), "manifests");
const registry = loadCrdRegistry();
const validator = createValidator(registry);

const documents = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc, i) => {
      if (doc.errors.length > 0) throw new Error(`${file} document ${i + 1}: ${doc.errors[0]?.message}`);
      return { where: `${file} #${i + 1}`, object: doc.toJS() as KubeObject };
    }),
  );
const byKind = (kind: string) => documents.map((d) => d.object).filter((o) => o.kind === kind);
const named = (kind: string, name: string) => byKind(kind).find((o) => o.metadata.name === name);
const specOf = <T>(o: KubeObject | undefined) => (o?.spec ?? {}) as T;

describe("manifests/", () => {
  it.each(documents.map((d) => [d.where, d.object] as const))("%s is valid under fieldValidation=Strict", (_where, object) => {
    const info = registry.byKind(object.kind) ?? expect.fail(`kind ${object.kind} is not served`);
    expect(validator.validate(info, object, { fieldValidation: "Strict" })).toMatchObject({ causes: [], warnings: [] });
  });

  it("has an example of every security kind", () => {
    expect(new Set(documents.map((d) => d.object.kind))).toEqual(new Set(registry.all().filter((i) => i.group === GROUP).map((i) => i.kind)));
  });

  it.each([
    ["the ml-engineer role", "Role", "ml-engineer", { description: "ML team member", permissions: ["workloads:*", "nodes:read", "nodes:list", "secrets:read"] }],
    ["alice", "User", "alice", { email: "alice@example.com", roles: ["operator", "ml-engineer"] }],
    ["the CI/CD Pipeline key", "ApiKey", "ci-cd-pipeline", { displayName: "CI/CD Pipeline", owner: "alice", scopes: ["workloads:*", "nodes:read"], duration: "90d" }],
    ["database-password", "Secret", "database-password", { allowedWorkloads: ["api-server", "worker"], rotation: { autoRotate: true, intervalDays: 30 } }],
    ["database-password's policy", "SecretPolicy", "database-password", { secret: "database-password", allowWorkloads: ["api-server", "worker", "migration-job"], allowLabels: { env: "production", team: "backend" }, denyWorkloads: ["debug-container"] }],
    ["the 203.0.113.42 block", "BlockRule", "203.0.113.42", { cidr: "203.0.113.42", reason: "Suspicious activity", duration: "24h", source: "manual" }],
    ["the gateway certificate", "Certificate", "gateway", { dnsNames: ["gateway.example.com"], ipAddresses: ["10.0.0.1"] }],
    ["the gpu-node-1 certificate", "Certificate", "gpu-node-1", { commonName: "gpu-node-1", dnsNames: ["gpu-node-1.example.com"] }],
  ])("holds the guide's %s", (_what, kind, name, spec) => {
    expect(named(kind, name)?.spec).toMatchObject(spec);
  });

  it("grants only roles it defines or the server's default roles", () => {
    const defaults = new Set(["admin", "operator", "viewer", "node"]);
    for (const u of byKind("User"))
      for (const r of specOf<{ roles?: string[] }>(u).roles ?? []) expect(defaults.has(r) || named("Role", r) !== undefined, `role ${r}`).toBe(true);
  });

  it("gives API keys owners it defines", () => {
    for (const k of byKind("ApiKey")) expect(named("User", specOf<{ owner: string }>(k).owner)).toBeDefined();
  });

  it("writes policies for secrets it defines", () => {
    for (const p of byKind("SecretPolicy")) expect(named("Secret", specOf<{ secret: string }>(p).secret)).toBeDefined();
  });

  it("issues certificates from a CA it defines", () => {
    for (const c of byKind("Certificate")) {
      const issuer = specOf<{ issuerRef?: { name: string } }>(c).issuerRef?.name;
      if (issuer !== undefined) expect(specOf<{ isCA?: boolean }>(named("Certificate", issuer)).isCA).toBe(true);
    }
  });

  it("writes no secret value in plain text", () => {
    for (const s of byKind("Secret")) expect(specOf<{ valueFrom?: { value?: string } }>(s).valueFrom?.value).toBeUndefined();
  });
});
