import { describe, expect, it } from "vitest";
import { loadCrdRegistry } from "../schema/crd-registry.js";
import {
  AGGREGATED_V2_CONTENT_TYPE,
  aggregatedDiscovery,
  answerDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  negotiateDiscovery,
  storageVersionHash,
} from "./discovery.js";
import { asUser, inGroup, resourceInfo, withoutStatus } from "./testing/resource-info-fixture.js";

const KUBECTL_132_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

const role = resourceInfo();
const user = resourceInfo(asUser, withoutStatus);

describe("negotiateDiscovery", () => {
  const cases = [
    { name: "picks aggregated v2 for kubectl 1.32", accept: KUBECTL_132_ACCEPT, expected: "apidiscovery.k8s.io/v2" },
    { name: "picks aggregated v2beta1 for an older client", accept: "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", expected: "apidiscovery.k8s.io/v2beta1" },
    { name: "picks legacy for plain JSON", accept: "application/json", expected: "legacy" },
    { name: "picks legacy for no Accept header", accept: undefined, expected: "legacy" },
    { name: "picks legacy for client-go's legacy-only mode", accept: "application/json, */*", expected: "legacy" },
    { name: "accepts the nopeer profile as aggregated v2", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer", expected: "apidiscovery.k8s.io/v2" },
    { name: "refuses protobuf only", accept: "application/vnd.kubernetes.protobuf", expected: undefined },
  ];
  it.each(cases)("$name", ({ accept, expected }) => {
    const choice = negotiateDiscovery(accept);
    expect(choice === undefined ? undefined : choice.format === "legacy" ? "legacy" : choice.apiVersion).toBe(expected);
  });
});

describe("legacy discovery", () => {
  it("lists each group once with its preferred version first", () => {
    const infos = [role, user, resourceInfo(inGroup("security.clawbernetes.com", "v2"))];
    expect(apiGroupList(infos)).toEqual({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [
        {
          name: "security.clawbernetes.com",
          versions: [
            { groupVersion: "security.clawbernetes.com/v1", version: "v1" },
            { groupVersion: "security.clawbernetes.com/v2", version: "v2" },
          ],
          preferredVersion: { groupVersion: "security.clawbernetes.com/v1", version: "v1" },
        },
      ],
    });
  });

  it("answers /apis/{group} with an APIGroup and an unknown group with undefined", () => {
    expect(apiGroup([role], "security.clawbernetes.com")).toMatchObject({ kind: "APIGroup", apiVersion: "v1", name: "security.clawbernetes.com" });
    expect(apiGroup([role], "apps")).toBeUndefined();
  });

  it("lists resources sorted by plural, cluster-scoped, with the status subresource where there is one", () => {
    const list = apiResourceList([user, role], "security.clawbernetes.com", "v1")!;
    expect(list.kind).toBe("APIResourceList");
    expect(list.groupVersion).toBe("security.clawbernetes.com/v1");
    expect(list.resources).toEqual([
      {
        name: "roles",
        singularName: "role",
        namespaced: false,
        kind: "Role",
        verbs: ["delete", "get", "list", "patch", "create", "update", "watch"],
        shortNames: ["rl"],
        categories: ["claw"],
        storageVersionHash: storageVersionHash(role),
      },
      { name: "roles/status", singularName: "", namespaced: false, kind: "Role", verbs: ["get", "patch", "update"] },
      {
        name: "users",
        singularName: "user",
        namespaced: false,
        kind: "User",
        verbs: ["delete", "get", "list", "patch", "create", "update", "watch"],
        shortNames: ["usr"],
        storageVersionHash: storageVersionHash(user),
      },
    ]);
  });

  it("answers an unknown group version with undefined", () => {
    expect(apiResourceList([role], "security.clawbernetes.com", "v9")).toBeUndefined();
  });

  it("computes the storage version hash as kube-apiserver does (8 bytes of SHA-256, base64)", () => {
    expect(storageVersionHash({ group: "security.clawbernetes.com", version: "v1", kind: "Role" })).toMatch(/^[A-Za-z0-9+/]{11}=$/);
  });
});

describe("aggregated discovery", () => {
  it("describes every resource with the GVK, scope and verbs client-go needs", () => {
    const doc = aggregatedDiscovery([role, user]);
    expect(doc).toEqual({
      kind: "APIGroupDiscoveryList",
      apiVersion: "apidiscovery.k8s.io/v2",
      metadata: {},
      items: [
        {
          metadata: { name: "security.clawbernetes.com" },
          versions: [
            {
              version: "v1",
              freshness: "Current",
              resources: [
                {
                  resource: "roles",
                  responseKind: { group: "security.clawbernetes.com", version: "v1", kind: "Role" },
                  scope: "Cluster",
                  singularResource: "role",
                  verbs: ["delete", "get", "list", "patch", "create", "update", "watch"],
                  shortNames: ["rl"],
                  categories: ["claw"],
                  subresources: [
                    { subresource: "status", responseKind: { group: "security.clawbernetes.com", version: "v1", kind: "Role" }, verbs: ["get", "patch", "update"] },
                  ],
                },
                {
                  resource: "users",
                  responseKind: { group: "security.clawbernetes.com", version: "v1", kind: "User" },
                  scope: "Cluster",
                  singularResource: "user",
                  verbs: ["delete", "get", "list", "patch", "create", "update", "watch"],
                  shortNames: ["usr"],
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("has no items for /api, since there is no core group", () => {
    expect(aggregatedDiscovery([role], { legacy: true }).items).toEqual([]);
  });

  it("covers every kind in crds/ with a non-empty responseKind (client-go drops resources without one)", () => {
    const infos = loadCrdRegistry().all();
    const resources = aggregatedDiscovery(infos).items.flatMap((g) => g.versions.flatMap((v) => v.resources));
    expect(resources.map((r) => r.responseKind.kind).sort()).toEqual(infos.map((i) => i.kind).sort());
    for (const r of resources) expect(r.responseKind.group && r.responseKind.version && r.responseKind.kind).toBeTruthy();
  });
});

describe("answerDiscovery", () => {
  const answer = (path: string, accept?: string, ifNoneMatch?: string) => answerDiscovery({ resources: [role], path, accept, ifNoneMatch });

  const cases = [
    { name: "answers kubectl's /apis with the aggregated content type", path: "/apis", accept: KUBECTL_132_ACCEPT, status: 200, contentType: AGGREGATED_V2_CONTENT_TYPE, kind: "APIGroupDiscoveryList" },
    { name: "answers kubectl's /api with the aggregated content type", path: "/api", accept: KUBECTL_132_ACCEPT, status: 200, contentType: AGGREGATED_V2_CONTENT_TYPE, kind: "APIGroupDiscoveryList" },
    { name: "answers plain JSON on /apis with an APIGroupList", path: "/apis", accept: "application/json", status: 200, contentType: "application/json", kind: "APIGroupList" },
    { name: "answers plain JSON on /api with APIVersions", path: "/api", accept: "application/json", status: 200, contentType: "application/json", kind: "APIVersions" },
    { name: "tolerates a trailing slash", path: "/apis/", accept: "application/json", status: 200, contentType: "application/json", kind: "APIGroupList" },
    { name: "answers /apis/{group} with an APIGroup", path: "/apis/security.clawbernetes.com", accept: KUBECTL_132_ACCEPT, status: 200, contentType: "application/json", kind: "APIGroup" },
    { name: "answers /apis/{group}/{version} with an APIResourceList", path: "/apis/security.clawbernetes.com/v1", accept: undefined, status: 200, contentType: "application/json", kind: "APIResourceList" },
    { name: "answers 406 when only protobuf is acceptable", path: "/apis", accept: "application/vnd.kubernetes.protobuf", status: 406, contentType: "application/json", kind: "Status" },
  ];
  it.each(cases)("$name", ({ path, accept, status, contentType, kind }) => {
    const a = answer(path, accept)!;
    expect(a.status).toBe(status);
    expect(a.headers["Content-Type"]).toBe(contentType);
    expect(a.headers.Vary).toBe("Accept");
    expect(JSON.parse(a.body!).kind).toBe(kind);
  });

  it("leaves unknown groups, versions and other paths to the caller (404)", () => {
    expect(answer("/apis/apps")).toBeUndefined();
    expect(answer("/apis/security.clawbernetes.com/v9")).toBeUndefined();
    expect(answer("/apis/security.clawbernetes.com/v1/roles")).toBeUndefined();
    expect(answer("/healthz")).toBeUndefined();
  });

  it("answers 304 without a body when If-None-Match carries the ETag", () => {
    const first = answer("/apis", KUBECTL_132_ACCEPT)!;
    const again = answer("/apis", KUBECTL_132_ACCEPT, first.headers.ETag)!;
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers.ETag).toBe(first.headers.ETag);
  });

  it("gives the aggregated and legacy forms different ETags", () => {
    expect(answer("/apis", KUBECTL_132_ACCEPT)!.headers.ETag).not.toBe(answer("/apis", "application/json")!.headers.ETag);
  });
});
