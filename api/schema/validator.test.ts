import { describe, expect, it } from "vitest";
import { invalid } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import { loadCrdRegistry } from "./crd-registry.js";
import type { ResourceInfo } from "./resource-info.js";
import { createValidator, type FieldValidation } from "./validator.js";

const registry = loadCrdRegistry();
const validator = createValidator(registry);

type Obj = Record<string, unknown>;
const GOOD_SPECS: Record<string, Obj> = {
  Role: { description: "ML team member", permissions: ["workloads:*", "nodes:read,list"] },
  User: { email: "alice@example.com", roles: ["operator", "ml-engineer"] },
  ApiKey: { displayName: "CI/CD Pipeline", owner: "alice", scopes: ["workloads:*", "nodes:read"], duration: "90d" },
  Secret: { valueFrom: { generate: { length: 32 } }, allowedWorkloads: ["api-server", "worker"], rotation: { autoRotate: true, intervalDays: 30 } },
  SecretPolicy: { secret: "database-password", allowWorkloads: ["migration-job"], allowLabels: { env: "production" }, denyWorkloads: ["debug-container"] },
  BlockRule: { cidr: "203.0.113.42", reason: "Suspicious activity", duration: "24h", source: "manual" },
  Certificate: { issuerRef: { name: "clawbernetes-ca" }, commonName: "gateway.example.com", dnsNames: ["gateway.example.com"], ipAddresses: ["10.0.0.1"] },
};
const ready = { type: "Ready", status: "True", reason: "Issued", message: "", observedGeneration: 1, lastTransitionTime: "2026-02-05T08:00:00Z" };

/** A valid object of a kind, changed by the modifiers (which may mutate it freely). */
function objectOf(kind: string, ...modifiers: ((o: Obj & { metadata: Obj; spec: Obj }) => void)[]): Obj {
  const o = {
    apiVersion: "security.clawbernetes.com/v1",
    kind,
    metadata: { name: "example" },
    spec: structuredClone(GOOD_SPECS[kind] ?? {}),
  };
  for (const modify of modifiers) modify(o);
  return o;
}
const infoOf = (kind: string): ResourceInfo => registry.byKind(kind) ?? expect.fail(`no kind ${kind}`);
const validate = (object: Obj, fieldValidation: FieldValidation = "Strict") =>
  validator.validate(infoOf(String(object.kind)), object, { fieldValidation });
const fieldsOf = (object: Obj, fieldValidation: FieldValidation = "Strict") =>
  validate(object, fieldValidation).causes.map((c) => `${c.field ?? ""} ${c.reason ?? ""}`);

describe("validate accepts", () => {
  it.each(Object.keys(GOOD_SPECS))("a valid %s", (kind) => {
    expect(validate(objectOf(kind))).toMatchObject({ causes: [], warnings: [] });
  });

  it.each<[string, Obj]>([
    ["a Role status with resolved permissions", objectOf("Role", (o) => (o.status = { observedGeneration: 1, resolvedPermissions: ["nodes:list"], conditions: [ready] }))],
    ["an ApiKey status with its key id and phase", objectOf("ApiKey", (o) => (o.status = { keyId: "ak_7x8Kj2mNp3Qr5tWv9yBc", phase: "Active", expiresAt: "2026-05-06T08:00:00Z", secretFetched: true, rotation: 0 }))],
    ["a Secret status with its version history", objectOf("Secret", (o) => (o.status = { currentVersion: 2, versions: [{ version: 1, createdAt: "2026-01-01T00:00:00Z", source: "Generated" }, { version: 2, createdAt: "2026-01-31T00:00:00Z", source: "Rotated", keyId: "k1" }] }))],
    ["a Certificate status with its validity", objectOf("Certificate", (o) => (o.status = { notBefore: "2026-01-01T00:00:00Z", notAfter: "2026-04-01T00:00:00Z", renewalTime: "2026-03-01T00:00:00Z", serialNumber: "0a1b2c", revision: 1, conditions: [ready] }))],
    ["a Secret the server has sealed, without valueFrom", objectOf("Secret", (o) => {
      delete o.spec.valueFrom;
      o.spec.sealed = { version: 1, keyId: "k1", algorithm: "chacha20-poly1305", nonce: "AAECAwQFBgcICQoL", ciphertext: "c2VhbGVk" };
    })],
    ["a Secret with a plain value", objectOf("Secret", (o) => (o.spec.valueFrom = { value: "super-secret-password" }))],
    ["a BlockRule of an IPv4 CIDR block", objectOf("BlockRule", (o) => (o.spec.cidr = "198.51.100.0/24"))],
    ["a BlockRule of an IPv6 address", objectOf("BlockRule", (o) => (o.spec.cidr = "2001:db8::1"))],
    ["a BlockRule of an IPv6 block until a time", objectOf("BlockRule", (o) => Object.assign(o.spec, { cidr: "2001:db8::/32", duration: undefined, expiresAt: "2026-02-06T08:00:00Z" }))],
    ["a permanent BlockRule", objectOf("BlockRule", (o) => delete o.spec.duration)],
    ["a wildcard DNS name and an IPv6 SAN", objectOf("Certificate", (o) => Object.assign(o.spec, { dnsNames: ["*.example.com"], ipAddresses: ["::1"] }))],
    ["a self-signed CA", objectOf("Certificate", (o) => (o.spec = { isCA: true, commonName: "Clawbernetes Root CA", usages: ["cert sign", "crl sign"], privateKey: { algorithm: "ECDSA", size: 384, rotationPolicy: "Never" } }))],
    ["a name made by generateName", objectOf("Role", (o) => (o.metadata = { generateName: "role-" }))],
    ["every ObjectMeta field the server stamps", objectOf("Role", (o) => (o.metadata = {
      name: "ml-engineer", uid: "9f3b", resourceVersion: "42", generation: 3, creationTimestamp: "2026-02-05T08:00:00Z",
      labels: { "app.kubernetes.io/name": "claw", team: "" }, annotations: { "claw.example.com/note": "any text at all" },
      finalizers: ["security.clawbernetes.com/cleanup"],
      managedFields: [{ manager: "claw", operation: "Apply", apiVersion: "security.clawbernetes.com/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:permissions": {} } } }],
    }))],
  ])("%s", (_name, object) => {
    expect(validate(object).causes).toEqual([]);
  });
});

describe("validate rejects, naming the field", () => {
  it.each<[string, Obj, string[]]>([
    ["a permission outside the grammar", objectOf("Role", (o) => (o.spec.permissions = ["workloads:*", "nodes:fly"])), ["spec.permissions[1] FieldValueInvalid"]],
    ["a Role without permissions", objectOf("Role", (o) => delete o.spec.permissions), ["spec.permissions FieldValueRequired"]],
    ["an empty permission list", objectOf("Role", (o) => (o.spec.permissions = [])), ["spec.permissions FieldValueInvalid"]],
    ["a repeated permission", objectOf("Role", (o) => (o.spec.permissions = ["nodes:read", "audit:read", "nodes:read"])), ["spec.permissions[2] FieldValueDuplicate"]],
    ["an object without spec", objectOf("Role", (o) => delete (o as Obj).spec), ["spec FieldValueRequired"]],
    ["an email that is not one", objectOf("User", (o) => (o.spec.email = "alice-at-example")), ["spec.email FieldValueInvalid"]],
    ["a role name that is not a name", objectOf("User", (o) => (o.spec.roles = ["operator", "ML Engineer"])), ["spec.roles[1] FieldValueInvalid"]],
    ["a string where a boolean belongs", objectOf("User", (o) => (o.spec.disabled = "yes")), ["spec.disabled FieldValueTypeInvalid"]],
    ["an ApiKey without owner or scopes", objectOf("ApiKey", (o) => { delete o.spec.owner; delete o.spec.scopes; }), ["spec.owner FieldValueRequired", "spec.scopes FieldValueRequired"]],
    ["an ApiKey with both duration and expiresAt", objectOf("ApiKey", (o) => (o.spec.expiresAt = "2026-05-06T08:00:00Z")), ["spec.expiresAt FieldValueForbidden"]],
    ["a duration in an unknown unit", objectOf("ApiKey", (o) => (o.spec.duration = "3w")), ["spec.duration FieldValueInvalid"]],
    ["a negative rotation counter", objectOf("ApiKey", (o) => (o.spec.rotation = -1)), ["spec.rotation FieldValueInvalid"]],
    ["a fractional rotation counter", objectOf("ApiKey", (o) => (o.spec.rotation = 1.5)), ["spec.rotation FieldValueTypeInvalid"]],
    ["an unknown ApiKey phase", objectOf("ApiKey", (o) => (o.status = { phase: "Dead" })), ["status.phase FieldValueNotSupported"]],
    ["a key id without the ak_ prefix", objectOf("ApiKey", (o) => (o.status = { keyId: "7x8Kj2mNp3Qr5tWv9yBc" })), ["status.keyId FieldValueInvalid"]],
    ["a Secret with both a value and a generator", objectOf("Secret", (o) => (o.spec.valueFrom = { value: "v", generate: {} })), ["spec.valueFrom FieldValueForbidden"]],
    ["a Secret with an empty valueFrom", objectOf("Secret", (o) => (o.spec.valueFrom = {})), ["spec.valueFrom.value FieldValueRequired"]],
    ["a Secret with no value at all", objectOf("Secret", (o) => delete o.spec.valueFrom), ["spec.valueFrom FieldValueRequired"]],
    ["a generated value too short", objectOf("Secret", (o) => (o.spec.valueFrom = { generate: { length: 8 } })), ["spec.valueFrom.generate.length FieldValueInvalid"]],
    ["an unknown charset", objectOf("Secret", (o) => (o.spec.valueFrom = { generate: { charset: "emoji" } })), ["spec.valueFrom.generate.charset FieldValueNotSupported"]],
    ["a workload name with capitals", objectOf("Secret", (o) => (o.spec.allowedWorkloads = ["API-Server"])), ["spec.allowedWorkloads[0] FieldValueInvalid"]],
    ["a rotation every zero days", objectOf("Secret", (o) => (o.spec.rotation = { intervalDays: 0 })), ["spec.rotation.intervalDays FieldValueInvalid"]],
    ["a sealed value missing its nonce", objectOf("Secret", (o) => (o.spec.sealed = { version: 1, keyId: "k", algorithm: "aes-256-gcm", ciphertext: "AA==" })), ["spec.sealed.nonce FieldValueRequired"]],
    ["a history listing a version twice", objectOf("Secret", (o) => (o.status = { versions: [{ version: 1, createdAt: "2026-01-01T00:00:00Z", source: "Value" }, { version: 1, createdAt: "2026-01-02T00:00:00Z", source: "Rotated" }] })), ["status.versions[1] FieldValueDuplicate"]],
    ["a SecretPolicy without its secret", objectOf("SecretPolicy", (o) => delete o.spec.secret), ["spec.secret FieldValueRequired"]],
    ["a label value that is not a string", objectOf("SecretPolicy", (o) => (o.spec.allowLabels = { env: 1 })), ["spec.allowLabels[env] FieldValueTypeInvalid"]],
    ["a workload denied twice", objectOf("SecretPolicy", (o) => (o.spec.denyWorkloads = ["a", "a"])), ["spec.denyWorkloads[1] FieldValueDuplicate"]],
    ["an address that is not one", objectOf("BlockRule", (o) => (o.spec.cidr = "203.0.113.256")), ["spec.cidr FieldValueInvalid"]],
    ["a CIDR prefix too long", objectOf("BlockRule", (o) => (o.spec.cidr = "10.0.0.0/33")), ["spec.cidr FieldValueInvalid"]],
    ["a BlockRule without its address", objectOf("BlockRule", (o) => delete o.spec.cidr), ["spec.cidr FieldValueRequired"]],
    ["an unknown source", objectOf("BlockRule", (o) => (o.spec.source = "robot")), ["spec.source FieldValueNotSupported"]],
    ["an expiry that is not a time", objectOf("BlockRule", (o) => Object.assign(o.spec, { duration: undefined, expiresAt: "tomorrow" })), ["spec.expiresAt FieldValueInvalid"]],
    ["an unknown key usage", objectOf("Certificate", (o) => (o.spec.usages = ["server auth", "world domination"])), ["spec.usages[1] FieldValueNotSupported"]],
    ["an IP SAN that is not an address", objectOf("Certificate", (o) => (o.spec.ipAddresses = ["10.0.0.300"])), ["spec.ipAddresses[0] FieldValueInvalid"]],
    ["a DNS name with capitals", objectOf("Certificate", (o) => (o.spec.dnsNames = ["Gateway.example.com"])), ["spec.dnsNames[0] FieldValueInvalid"]],
    ["an unknown key algorithm and size", objectOf("Certificate", (o) => (o.spec.privateKey = { algorithm: "DSA", size: 1024 })), ["spec.privateKey.algorithm FieldValueNotSupported", "spec.privateKey.size FieldValueNotSupported"]],
    ["a common name over 64 characters", objectOf("Certificate", (o) => (o.spec.commonName = "a".repeat(65))), ["spec.commonName FieldValueTooLong"]],
    ["an issuerRef without a name", objectOf("Certificate", (o) => (o.spec.issuerRef = {})), ["spec.issuerRef.name FieldValueRequired"]],
    ["a condition status that is not True, False or Unknown", objectOf("Role", (o) => (o.status = { conditions: [{ ...ready, status: "Maybe" }] })), ["status.conditions[0].status FieldValueNotSupported"]],
    ["a condition without its transition time", objectOf("Role", (o) => (o.status = { conditions: [{ ...ready, lastTransitionTime: undefined }] })), ["status.conditions[0].lastTransitionTime FieldValueRequired"]],
    ["a condition reason that is not PascalCase", objectOf("Role", (o) => (o.status = { conditions: [{ ...ready, reason: "not ready" }] })), ["status.conditions[0].reason FieldValueInvalid"]],
    ["two conditions of one type", objectOf("Role", (o) => (o.status = { conditions: [ready, ready] })), ["status.conditions[1] FieldValueDuplicate"]],
    ["a name with capitals and underscores", objectOf("Role", (o) => (o.metadata.name = "ML_Engineer")), ["metadata.name FieldValueInvalid"]],
    ["a name longer than 253 characters", objectOf("Role", (o) => (o.metadata.name = "a".repeat(254))), ["metadata.name FieldValueInvalid"]],
    ["an object without a name", objectOf("Role", (o) => (o.metadata = {})), ["metadata.name FieldValueRequired"]],
    ["an object without metadata", objectOf("Role", (o) => delete (o as Obj).metadata), ["metadata FieldValueRequired"]],
    ["a name that is not a string", objectOf("Role", (o) => (o.metadata.name = 7)), ["metadata.name FieldValueTypeInvalid"]],
    ["a label key with a space", objectOf("Role", (o) => (o.metadata.labels = { "my team": "ml" })), ["metadata.labels FieldValueInvalid"]],
    ["a label value over 63 characters", objectOf("Role", (o) => (o.metadata.labels = { team: "a".repeat(64) })), ["metadata.labels[team] FieldValueInvalid"]],
    ["a finalizer that is not a qualified name", objectOf("Role", (o) => (o.metadata.finalizers = ["a/b/c"])), ["metadata.finalizers[0] FieldValueInvalid"]],
    ["another group's apiVersion", objectOf("Role", (o) => (o.apiVersion = "rbac.authorization.k8s.io/v1")), ["apiVersion FieldValueInvalid"]],
    ["another kind", objectOf("Role", (o) => (o.kind = "ClusterRole")), ["kind FieldValueInvalid"]],
    ["a missing apiVersion", objectOf("Role", (o) => delete (o as Obj).apiVersion), ["apiVersion FieldValueRequired"]],
  ])("%s", (_name, object, expected) => {
    const kind = String(object.kind) === "ClusterRole" ? "Role" : String(object.kind);
    const causes = validator.validate(infoOf(kind), object, { fieldValidation: "Strict" }).causes;
    expect(causes.map((c) => `${c.field ?? ""} ${c.reason ?? ""}`)).toEqual(expected);
    for (const c of causes) expect(c.message).not.toBe("");
  });

  it("names every offending field of one object, as a 422 Status lists them", () => {
    const object = objectOf("Certificate", (o) => {
      o.spec.commonName = "";
      o.spec.ipAddresses = ["10.0.0.1", "nope"];
      o.spec.privateKey = { rotationPolicy: "Sometimes" };
      o.spec.isCA = "no";
      o.metadata.name = "Gateway";
    });
    const causes = validate(object).causes;
    expect(causes.map((c) => c.field).sort()).toEqual(["metadata.name", "spec.commonName", "spec.ipAddresses[1]", "spec.isCA", "spec.privateKey.rotationPolicy"]);
    const status = invalid({ group: "security.clawbernetes.com", kind: "Certificate", resource: "certificates", name: "Gateway" }, causes).toStatus();
    expect(status).toMatchObject({ code: 422, reason: "Invalid", details: { causes } });
    for (const field of ["spec.commonName", "spec.ipAddresses[1]", "spec.privateKey.rotationPolicy", "spec.isCA", "metadata.name"]) expect(status.message).toContain(`${field}: `);
  });
});

describe("validate explains how to fix a value", () => {
  const messageOf = (object: Obj) => validate(object).causes[0]?.message;
  it.each<[string, Obj, string]>([
    ["quotes the permission grammar", objectOf("Role", (o) => (o.spec.permissions = ["nodes:fly"])), 'Invalid value: "nodes:fly": must be a permission resource:action[,action...] such as workloads:* or nodes:read,list'],
    ["lists the supported values", objectOf("BlockRule", (o) => (o.spec.source = "robot")), 'Unsupported value: "robot": supported values: "manual", "auto"'],
    ["shows a duration's form", objectOf("ApiKey", (o) => (o.spec.duration = "3w")), 'Invalid value: "3w": must be a duration such as 90d or 36h (a number and a unit d, h, m or s)'],
    ["names the formats an address may take", objectOf("BlockRule", (o) => (o.spec.cidr = "localhost")), 'Invalid value: "localhost": must be an IPv4 address such as 10.0.0.1, an IPv6 address such as 2001:db8::1 or a CIDR block such as 198.51.100.0/24'],
    ["names the expected type", objectOf("User", (o) => (o.spec.disabled = "yes")), 'Invalid value: "yes": must be of type boolean'],
    ["gives the bound", objectOf("Secret", (o) => (o.spec.rotation = { intervalDays: 4000 })), "Invalid value: 4000: must be less than or equal to 3650"],
    ["says which of two fields to drop", objectOf("BlockRule", (o) => (o.spec.expiresAt = "2026-02-06T08:00:00Z")), "Forbidden: may not set both duration and expiresAt; set only one"],
    ["says which fields are missing", objectOf("Secret", (o) => (o.spec.valueFrom = {})), "Required value: must set exactly one of value or generate"],
    ["uses Kubernetes' words for names", objectOf("Role", (o) => (o.metadata.name = "Bad")), 'Invalid value: "Bad": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters'],
    ["gives the length limit of names", objectOf("Role", (o) => (o.metadata.name = "a".repeat(254))), "must be no more than 253 characters"],
  ])("%s", (_name, object, expected) => {
    expect(messageOf(object)).toContain(expected);
  });

  it.each<[string, Obj]>([
    ["a value of the wrong type", objectOf("Secret", (o) => (o.spec.valueFrom = { value: ["hunter2-secret"] }))],
    ["a value sent where valueFrom belongs", objectOf("Secret", (o) => (o.spec.valueFrom = "hunter2-secret"))],
    ["a value beside a generator", objectOf("Secret", (o) => (o.spec.valueFrom = { value: "hunter2-secret", generate: {} }))],
    ["a value in a misspelt field", objectOf("Secret", (o) => (o.spec.valueFrom = { valu: "hunter2-secret" }))],
  ])("never echoes a secret value: %s", (_name, object) => {
    const { causes } = validate(object);
    expect(causes.length).toBeGreaterThan(0);
    expect(JSON.stringify(causes)).not.toContain("hunter2");
  });
});

describe("unknown fields", () => {
  const withExtras = () =>
    objectOf("Certificate", (o) => {
      o.spec.colour = "blue";
      o.spec.privateKey = { algorithm: "RSA", bits: 4096 };
      o.status = { conditions: [{ ...ready, extra: true }] };
      o.metadata.owner = "me";
    });
  const unknown = ["spec.colour", "spec.privateKey.bits", "status.conditions[0].extra", "metadata.owner"];

  it("are a cause each under Strict", () => {
    const { causes, warnings } = validate(withExtras(), "Strict");
    expect(causes).toEqual(expect.arrayContaining(unknown.map((field) => ({ field, reason: "FieldValueUnknown", message: `unknown field "${field}"` }))));
    expect(causes).toHaveLength(unknown.length);
    expect(warnings).toEqual([]);
  });

  it("are a warning each under Warn, and pruned", () => {
    const { causes, warnings, pruned } = validate(withExtras(), "Warn");
    expect(causes).toEqual([]);
    expect(warnings.sort()).toEqual(unknown.map((f) => `unknown field "${f}"`).sort());
    expect(pruned.spec).not.toHaveProperty("colour");
    expect(pruned.spec).toMatchObject({ privateKey: { algorithm: "RSA" } });
    expect((pruned.spec as Obj).privateKey).not.toHaveProperty("bits");
    expect(pruned.metadata).not.toHaveProperty("owner");
  });

  it("are pruned silently under Ignore", () => {
    const { causes, warnings, pruned } = validate(withExtras(), "Ignore");
    expect(causes).toEqual([]);
    expect(warnings).toEqual([]);
    expect(JSON.stringify(pruned)).not.toMatch(/colour|bits|extra|owner/);
  });

  it("include fields of a misspelt parent only once", () => {
    expect(fieldsOf(objectOf("Role", (o) => {
      o.spec.permisions = o.spec.permissions;
      delete o.spec.permissions;
    }))).toEqual(["spec.permisions FieldValueUnknown", "spec.permissions FieldValueRequired"]);
  });
});

describe("the pruned object", () => {
  it("drops nulls, as Kubernetes does for non-nullable fields", () => {
    const result = validate(objectOf("Role", (o) => (o.spec.description = null)));
    expect(result.causes).toEqual([]);
    expect(result.pruned.spec).not.toHaveProperty("description");
  });

  it.each<[string, Obj, Obj]>([
    ["defaults disabled to false", objectOf("User"), { disabled: false }],
    ["defaults a BlockRule's source to manual", objectOf("BlockRule", (o) => delete o.spec.source), { source: "manual" }],
    ["defaults the generator's charset", objectOf("Secret"), { valueFrom: { generate: { length: 32, charset: "alphanumeric" } } }],
    ["defaults a private key to ECDSA, rotated", objectOf("Certificate", (o) => (o.spec.privateKey = {})), { privateKey: { algorithm: "ECDSA", rotationPolicy: "Always" } }],
    ["defaults revoked and rotation of an ApiKey", objectOf("ApiKey"), { revoked: false, rotation: 0 }],
  ])("%s", (_name, object, expected) => {
    const result = validate(object);
    expect(result.causes).toEqual([]);
    expect(result.pruned.spec).toMatchObject(expected);
  });

  it("drops metadata.namespace, which cluster-scoped kinds do not have", () => {
    const result = validate(objectOf("Role", (o) => (o.metadata.namespace = "default")));
    expect(result.causes).toEqual([]);
    expect(result.pruned.metadata).toEqual({ name: "example" });
  });

  it("leaves the input object untouched", () => {
    const object = objectOf("Certificate", (o) => (o.spec.extra = 1));
    const before = structuredClone(object);
    validate(object, "Ignore");
    expect(object).toEqual(before);
  });
});

describe("a body that is not an object", () => {
  it.each<[string, unknown]>([
    ["an array", []],
    ["a string", "Role"],
    ["null", null],
  ])("is refused when it is %s", (_name, body) => {
    const { causes, pruned } = validator.validate(infoOf("Role"), body, { fieldValidation: "Strict" });
    expect(causes).toEqual([{ reason: "FieldValueTypeInvalid", message: "Invalid value: the body must be a Role object" }]);
    expect((pruned as KubeObject).kind).toBe("Role");
  });
});
