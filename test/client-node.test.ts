// @kubernetes/client-node against the real API server: the README's CustomObjectsApi example keeps the spec
// of claw's Role and Secret, while KubernetesObjectApi takes them for the built-in V1Role and V1Secret and
// drops it (the pitfall the README warns of).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot } from "../api/schema/repo-root.js";
import { buildKubeconfig, serializeKubeconfig } from "../cmd/cli/config/kubeconfig.js";
import { manageClawObjects } from "./client-node-example.js";
import { startEnvTest, type EnvTest } from "./envtest.js";

const ROOT = findRepoRoot();
type WithSpec = KubernetesObject & { spec?: Record<string, unknown> };

let env: EnvTest;
let kc: KubeConfig;
beforeAll(async () => {
  env = await startEnvTest();
  kc = new KubeConfig();
  // What `claw config kubeconfig` prints; client-node takes plain http (envtest's) only with skip-verify set.
  kc.loadFromString(serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token, cluster: { "insecure-skip-tls-verify": true } })));
});
afterAll(() => env?.stop());

describe("the README's @kubernetes/client-node example", () => {
  it("is test/client-node-example.ts verbatim", () => {
    const example = readFileSync(join(ROOT, "test", "client-node-example.ts"), "utf8");
    const code = example.slice(example.search(/^import /m));
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /<!-- test\/client-node-example\.ts -->\n```ts\n([\s\S]*?)```\n/.exec(readme)?.[1];
    expect(block).toBe(code);
  });

  it("keeps the spec of a Role and of a Secret through create, get, merge patch and apply", async () => {
    const { created, patched, applied } = (await manageClawObjects(kc)) as Record<"created" | "patched" | "applied", WithSpec>;
    expect(created.spec).toEqual({ description: "Watches GPU nodes", permissions: ["nodes:read", "nodes:list"] });
    expect(patched.spec).toEqual({ description: "Watches GPU nodes and metrics", permissions: ["nodes:read", "nodes:list"] });
    expect(applied.spec).toMatchObject({ description: "Token of the image registry", allowedWorkloads: ["builder"] });
  });
});

describe("KubernetesObjectApi with claw's Role and Secret (the pitfall)", () => {
  const objects = () => KubernetesObjectApi.makeApiClient(kc);
  const ref = (kind: string, name: string) => ({ apiVersion: "security.clawbernetes.com/v1", kind, metadata: { name } });

  it.each([
    { name: "reads a Role back without its spec", kind: "Role", object: "gpu-viewer" },
    { name: "reads a Secret back without its spec", kind: "Secret", object: "registry-token" },
  ])("$name", async ({ kind, object }) => {
    const stored = (await (await env.request(`/apis/security.clawbernetes.com/v1/${kind.toLowerCase()}s/${object}`)).json()) as WithSpec;
    expect(stored.spec).toBeDefined();
    const read = (await objects().read(ref(kind, object))) as WithSpec;
    expect(read.metadata?.name).toBe(object);
    expect(read.spec).toBeUndefined();
  });

  it("sends a Role without its spec, so the server refuses it", async () => {
    const role = { ...ref("Role", "dropped"), spec: { description: "never sent", permissions: ["nodes:read"] } };
    await expect(objects().create(role)).rejects.toMatchObject({ code: 422, body: expect.stringContaining("spec") });
  });
});
