// Write options (dryRun, fieldValidation, DeleteOptions) as kube-apiserver accepts them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { parseDeleteOptions, parseWriteQuery } from "./write-options.js";
import { refusal } from "./testing/refusal.js";

const params = (query: string) => new URLSearchParams(query);

describe("parsing write options", () => {
  it.each([
    ["defaults fieldValidation to Warn", () => parseWriteQuery(params(""), "CreateOptions"), { dryRun: false, fieldValidation: "Warn" }],
    ["reads dryRun=All and fieldValidation=Strict", () => parseWriteQuery(params("dryRun=All&fieldValidation=Strict"), "PatchOptions"), { dryRun: true, fieldValidation: "Strict" }],
    ["reads a DeleteOptions body", () => parseDeleteOptions(params(""), { propagationPolicy: "Foreground", dryRun: ["All"], preconditions: { uid: "u" } }), { dryRun: true, propagationPolicy: "Foreground", preconditions: { uid: "u" } }],
    ["reads DeleteOptions from the query", () => parseDeleteOptions(params("propagationPolicy=Orphan&gracePeriodSeconds=0&dryRun=All"), {}), { dryRun: true, propagationPolicy: "Orphan", gracePeriodSeconds: 0 }],
  ])("%s", (_name, parse, want) => {
    expect(parse()).toEqual(want);
  });

  it.each([
    ["refuses a dryRun other than All with 422", () => parseWriteQuery(params("dryRun=true"), "CreateOptions"), 422, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["true"]: supported values: "All"'],
    ["refuses a fieldValidation kube does not know with 422", () => parseWriteQuery(params("fieldValidation=Loud"), "UpdateOptions"), 422, "fieldValidation: Unsupported value"],
    ["refuses a delete's dryRun other than All with 422", () => parseDeleteOptions(params("dryRun=false"), {}), 422, "DeleteOptions.meta.k8s.io"],
    ["refuses an unknown propagationPolicy with 422", () => parseDeleteOptions(params(""), { propagationPolicy: "Later" }), 422, 'propagationPolicy: Unsupported value: "Later"'],
    ["refuses orphanDependents with a propagationPolicy with 422", () => parseDeleteOptions(params("orphanDependents=true"), { propagationPolicy: "Orphan" }), 422, "cannot be both set"],
    ["refuses a propagationPolicy that is not a string with 400", () => parseDeleteOptions(params(""), { propagationPolicy: 3 }), 400, "must be a string"],
    ["refuses a gracePeriodSeconds that is not an integer with 400", () => parseDeleteOptions(params("gracePeriodSeconds=soon"), {}), 400, "gracePeriodSeconds"],
    ["refuses a body that is not an object with 400", () => parseDeleteOptions(params(""), []), 400, "DeleteOptions object"],
  ])("%s", (_name, parse, code, message) => {
    const error = refusal(parse);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
const role = (name: string) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions: ["nodes:read"] } });

let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest();
  expect((await env.request(ROLES, { method: "POST", json: role("wo-a") })).status).toBe(201);
});
afterAll(async () => env?.stop());

describe("the server's answers to write options", () => {
  it("deletes nothing for ?dryRun=false, which kube refuses rather than reads as a dry run", async () => {
    const r = await env.request(`${ROLES}/wo-a?dryRun=false`, { method: "DELETE" });
    expect(r.status).toBe(422);
    expect((await env.request(`${ROLES}/wo-a`)).status).toBe(200);
  });

  it("deletes with a propagationPolicy in the body, as kubectl --cascade sends it", async () => {
    const r = await env.request(`${ROLES}/wo-a`, { method: "DELETE", json: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" } });
    expect(r.status).toBe(200);
    expect((await env.request(`${ROLES}/wo-a`)).status).toBe(404);
  });

  it("refuses fieldValidation=strict (kube's values are case-sensitive) with 422", async () => {
    const r = await env.request(`${ROLES}?fieldValidation=strict`, { method: "POST", json: role("wo-b") });
    expect(r.status).toBe(422);
  });
});
