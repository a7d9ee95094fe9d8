// README.md shows this file verbatim, all but this line; test/client-node.test.ts runs it.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";

const group = "security.clawbernetes.com";
const version = "v1";

export async function manageClawObjects(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);

  // Create, read and merge-patch a Role.
  const role = {
    apiVersion: `${group}/${version}`,
    kind: "Role",
    metadata: { name: "gpu-viewer" },
    spec: { description: "Watches GPU nodes", permissions: ["nodes:read", "nodes:list"] },
  };
  await api.createClusterCustomObject({ group, version, plural: "roles", body: role });
  const created = await api.getClusterCustomObject({ group, version, plural: "roles", name: "gpu-viewer" });
  const patched = await api.patchClusterCustomObject(
    { group, version, plural: "roles", name: "gpu-viewer", body: { spec: { description: "Watches GPU nodes and metrics" } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );

  // Create or update a Secret with server-side apply (what `kubectl apply --server-side` does).
  const secret = {
    apiVersion: `${group}/${version}`,
    kind: "Secret",
    metadata: { name: "registry-token" },
    spec: { description: "Token of the image registry", valueFrom: { generate: { length: 40 } }, allowedWorkloads: ["builder"] },
  };
  const applied = await api.patchClusterCustomObject(
    { group, version, plural: "secrets", name: "registry-token", body: secret, fieldManager: "my-tool", force: true },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
  return { created, patched, applied };
}
