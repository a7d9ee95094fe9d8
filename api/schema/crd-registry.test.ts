import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadCrdRegistry } from "./crd-registry.js";
import { defaultCrdDir, findRepoRoot } from "./repo-root.js";

const registry = loadCrdRegistry();

describe("loadCrdRegistry on crds/", () => {
  it("serves the security kinds (the seven people apply, and Node) and the coordination Lease, sorted by plural", () => {
    expect(registry.all().map((i) => `${i.plural}.${i.group}`)).toEqual([
      "apikeys.security.clawbernetes.com",
      "blockrules.security.clawbernetes.com",
      "certificates.security.clawbernetes.com",
      "leases.coordination.clawbernetes.com",
      "nodes.security.clawbernetes.com",
      "roles.security.clawbernetes.com",
      "secretpolicies.security.clawbernetes.com",
      "secrets.security.clawbernetes.com",
      "users.security.clawbernetes.com",
    ]);
  });

  it.each([
    ["finds a kind by its plural", "roles", "Role"],
    ["finds a kind by its singular", "secretpolicy", "SecretPolicy"],
    ["finds a kind by its short name", "ak", "ApiKey"],
    ["finds a kind by a second short name", "certs", "Certificate"],
    ["finds a kind by its kind", "BlockRule", "BlockRule"],
    ["finds a kind by plural.group", "users.security.clawbernetes.com", "User"],
    ["finds a kind by plural.version.group, as kubectl writes it", "secrets.v1.security.clawbernetes.com", "Secret"],
    ["ignores case", "ROLES", "Role"],
    ["ignores case in short names", "SecPol", "SecretPolicy"],
    ["ignores surrounding spaces", " csec ", "Secret"],
  ])("%s", (_name, input, kind) => {
    expect(registry.resolve(input)?.kind).toBe(kind);
  });

  it.each([
    ["does not resolve a name it does not know", "pods"],
    ["does not resolve another group", "roles.rbac.authorization.k8s.io"],
    ["does not resolve an empty name", ""],
  ])("%s", (_name, input) => {
    expect(registry.resolve(input)).toBeUndefined();
  });

  it("looks up by exact plural and kind", () => {
    expect(registry.byPlural("apikeys")?.kind).toBe("ApiKey");
    expect(registry.byKind("ApiKey")?.plural).toBe("apikeys");
    expect(registry.byPlural("ApiKeys")).toBeUndefined();
  });

  it("reads names, the status subresource and printer columns", () => {
    const cert = registry.byKind("Certificate");
    expect(cert).toMatchObject({
      group: "security.clawbernetes.com",
      version: "v1",
      listKind: "CertificateList",
      singular: "certificate",
      shortNames: ["cert", "certs"],
      categories: ["claw", "security"],
      hasStatusSubresource: true,
    });
    expect(cert?.printerColumns.find((c) => c.name === "Expires")).toEqual({ name: "Expires", type: "date", jsonPath: ".status.notAfter" });
    expect(cert?.printerColumns.find((c) => c.name === "Revoked")?.priority).toBe(1);
  });

  it("finds crds/ from this module's folder", () => {
    expect(defaultCrdDir()).toBe(join(findRepoRoot(), "crds"));
    expect(readFileSync(join(findRepoRoot(), "package.json"), "utf8")).toContain("clawbernetes");
  });
});

/** The parts of a CRD the cases below edit. */
interface Crd {
  kind: string;
  metadata: { name: string };
  spec: {
    scope: string;
    group: string;
    names: Record<string, unknown>;
    versions: { name: string; storage: boolean; schema?: unknown; additionalPrinterColumns: { type: string }[] }[];
  };
}
const roleCrd = (): Crd => parse(readFileSync(join(defaultCrdDir(), "roles.security.clawbernetes.com.yaml"), "utf8")) as Crd;

describe("loadCrdRegistry refuses bad CRDs", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), "claw-crds-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return () => loadCrdRegistry(dir);
  };
  const withRole = (modify: (crd: Crd) => void) => {
    const crd = roleCrd();
    modify(crd);
    return { "role.yaml": stringify(crd) };
  };

  it.each([
    ["a namespaced CRD", (c: Crd) => (c.spec.scope = "Namespaced"), /spec.scope is Namespaced; every kind claw serves is cluster-scoped/],
    ["a CRD of another group", (c: Crd) => (c.spec.group = "example.com"), /spec.group is example.com/],
    ["a CRD whose name is not plural.group", (c: Crd) => (c.metadata.name = "roles"), /metadata.name must be roles.security.clawbernetes.com/],
    ["a CRD with two versions", (c: Crd) => c.spec.versions.push({ ...c.spec.versions[0]!, name: "v2", storage: false }), /exactly one version/],
    ["a CRD without a schema", (c: Crd) => delete c.spec.versions[0]!.schema, /schema must be a mapping/],
    ["a printer column of an unknown type", (c: Crd) => (c.spec.versions[0]!.additionalPrinterColumns[0]!.type = "text"), /additionalPrinterColumns\[0\].type must be one of/],
    ["a document that is not a CRD", (c: Crd) => (c.kind = "Role"), /not an apiextensions.k8s.io\/v1 CustomResourceDefinition/],
  ])("refuses %s, naming the file and field", (_name, modify, message) => {
    const run = load(withRole(modify));
    expect(run).toThrow(message);
    expect(run).toThrow(/role\.yaml/);
  });

  it("refuses two kinds that share a short name", () => {
    const other = roleCrd();
    Object.assign(other.spec.names, { kind: "Rule", listKind: "RuleList", plural: "rules", singular: "rule" });
    other.metadata.name = "rules.security.clawbernetes.com";
    const run = load({ "a.yaml": stringify(roleCrd()), "b.yaml": stringify(other) });
    expect(run).toThrow(/"rl" names both Role and Rule/);
  });

  it("refuses a YAML syntax error with the file's path", () => {
    expect(load({ "bad.yaml": "spec: [unclosed\n" })).toThrow(/bad\.yaml/);
  });

  it("refuses a folder without CRDs", () => {
    expect(load({ "README.md": "nothing here" })).toThrow(/no CRD files/);
  });

  it("reads several CRDs from one file", () => {
    const other = roleCrd();
    Object.assign(other.spec.names, { kind: "Rule", listKind: "RuleList", plural: "rules", singular: "rule", shortNames: ["ru"] });
    other.metadata.name = "rules.security.clawbernetes.com";
    const registry = load({ "all.yaml": `${stringify(roleCrd())}---\n${stringify(other)}` })();
    expect(registry.all().map((i) => i.kind)).toEqual(["Role", "Rule"]);
  });
});
