// Discovery documents for /api, /apis, /apis/{group} and /apis/{group}/{version}, legacy (v1) and aggregated
// (apidiscovery.k8s.io/v2, what kubectl >= 1.30 asks for first), and the Accept negotiation between them.

import { createHash } from "node:crypto";
import type { APIResource } from "../machinery/api-resource.js";
import { notAcceptable } from "../machinery/errors.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { answerWithEtag, type HttpAnswer } from "./http-answer.js";
import { negotiate, type MediaOffer } from "./media-type.js";

/** What we serve on every resource; deletecollection is not served, so it is not listed. */
export const RESOURCE_VERBS = ["delete", "get", "list", "patch", "create", "update", "watch"] as const;
export const STATUS_VERBS = ["get", "patch", "update"] as const;

export const AGGREGATED_V2_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
export const AGGREGATED_V2BETA1_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

export type DiscoveryChoice =
  | { format: "aggregated"; apiVersion: "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1"; contentType: string }
  | { format: "legacy"; contentType: "application/json" };

// Server preference: aggregated v2, then v2beta1 (same shape), then the legacy documents.
const DISCOVERY_OFFERS: MediaOffer<DiscoveryChoice>[] = [
  {
    type: "application",
    subtype: "json",
    params: { g: "apidiscovery.k8s.io", v: "v2", as: "APIGroupDiscoveryList" },
    value: { format: "aggregated", apiVersion: "apidiscovery.k8s.io/v2", contentType: AGGREGATED_V2_CONTENT_TYPE },
  },
  {
    type: "application",
    subtype: "json",
    params: { g: "apidiscovery.k8s.io", v: "v2beta1", as: "APIGroupDiscoveryList" },
    value: { format: "aggregated", apiVersion: "apidiscovery.k8s.io/v2beta1", contentType: AGGREGATED_V2BETA1_CONTENT_TYPE },
  },
  { type: "application", subtype: "json", value: { format: "legacy", contentType: "application/json" } },
];

/**
 * Which discovery format answers this Accept header on /api and /apis (the only paths with an aggregated form).
 * kubectl 1.32 sends `…v=v2;as=APIGroupDiscoveryList,…v=v2beta1;as=APIGroupDiscoveryList,application/json`.
 * Undefined: nothing acceptable, answer 406.
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryChoice | undefined {
  return negotiate(accept, DISCOVERY_OFFERS);
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: "APIGroup";
  apiVersion?: "v1";
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export type { APIResource } from "../machinery/api-resource.js";

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface APIResourceDiscovery {
  resource: string;
  responseKind: GroupVersionKind;
  scope: "Cluster" | "Namespaced";
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string; responseKind: GroupVersionKind; verbs: string[] }[];
}

export interface APIGroupDiscovery {
  metadata: { name: string };
  versions: { version: string; resources: APIResourceDiscovery[]; freshness: "Current" | "Stale" }[];
}

export interface APIGroupDiscoveryList {
  kind: "APIGroupDiscoveryList";
  apiVersion: "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1";
  metadata: Record<string, never>;
  items: APIGroupDiscovery[];
}

/** `/api` (legacy): we serve no core group, so no versions; client-go then sees no core resources. */
export function apiVersions(): { kind: "APIVersions"; versions: string[]; serverAddressByClientCIDRs: never[] } {
  return { kind: "APIVersions", versions: [], serverAddressByClientCIDRs: [] };
}

/** `/apis` (legacy). */
export function apiGroupList(infos: readonly ResourceInfo[]): { kind: "APIGroupList"; apiVersion: "v1"; groups: APIGroup[] } {
  return { kind: "APIGroupList", apiVersion: "v1", groups: groupsOf(infos).map(({ group, versions }) => groupEntry(group, versions)) };
}

/** `/apis/{group}`; undefined when we serve no such group (404). */
export function apiGroup(infos: readonly ResourceInfo[], group: string): APIGroup | undefined {
  const found = groupsOf(infos).find((g) => g.group === group);
  return found ? { kind: "APIGroup", apiVersion: "v1", ...groupEntry(found.group, found.versions) } : undefined;
}

/** `/apis/{group}/{version}`; undefined when we serve no such group version (404). */
export function apiResourceList(
  infos: readonly ResourceInfo[],
  group: string,
  version: string,
): { kind: "APIResourceList"; apiVersion: "v1"; groupVersion: string; resources: APIResource[] } | undefined {
  const served = sortedByPlural(infos.filter((i) => i.group === group && i.version === version));
  if (served.length === 0) return undefined;
  const resources = served.flatMap((info): APIResource[] => [
    {
      name: info.plural,
      singularName: info.singular,
      namespaced: false,
      kind: info.kind,
      verbs: [...RESOURCE_VERBS],
      ...(info.shortNames.length ? { shortNames: [...info.shortNames] } : {}),
      ...(info.categories.length ? { categories: [...info.categories] } : {}),
      storageVersionHash: storageVersionHash(info),
    },
    ...(info.hasStatusSubresource
      ? [{ name: `${info.plural}/status`, singularName: "", namespaced: false, kind: info.kind, verbs: [...STATUS_VERBS] }]
      : []),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources };
}

/** The aggregated document for `/apis` (our groups), or for `/api` with `legacy: true` (no items: no core group). */
export function aggregatedDiscovery(
  infos: readonly ResourceInfo[],
  opts: { legacy?: boolean; apiVersion?: APIGroupDiscoveryList["apiVersion"] } = {},
): APIGroupDiscoveryList {
  const items: APIGroupDiscovery[] = opts.legacy
    ? []
    : groupsOf(infos).map(({ group, versions }) => ({
        metadata: { name: group },
        versions: versions.map((version) => ({
          version,
          resources: sortedByPlural(infos.filter((i) => i.group === group && i.version === version)).map(resourceDiscovery),
          freshness: "Current" as const,
        })),
      }));
  return { kind: "APIGroupDiscoveryList", apiVersion: opts.apiVersion ?? "apidiscovery.k8s.io/v2", metadata: {}, items };
}

/**
 * The whole response for a discovery path, or undefined when the path is not one we serve (the caller answers 404).
 * Sets Content-Type (the aggregated one carries its g/v/as parameters: client-go reads them to pick the decoder),
 * ETag, and Vary: Accept; answers 304 to a matching If-None-Match and 406 when no format is acceptable.
 */
export function answerDiscovery(opts: {
  resources: readonly ResourceInfo[];
  path: string;
  accept?: string | undefined;
  ifNoneMatch?: string | undefined;
}): HttpAnswer | undefined {
  const path = opts.path.length > 1 ? opts.path.replace(/\/+$/, "") : opts.path;
  const parts = path.split("/").filter(Boolean);
  const headers = { Vary: "Accept" };
  const json = (body: unknown, contentType = "application/json") =>
    answerWithEtag({ body: JSON.stringify(body), contentType, ifNoneMatch: opts.ifNoneMatch, headers });

  if (path === "/api" || path === "/apis") {
    const choice = negotiateDiscovery(opts.accept);
    if (!choice) {
      const status = notAcceptable(`none of the requested media types (${opts.accept ?? ""}) can be served; send Accept: application/json`).toStatus();
      return { status: 406, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(status) };
    }
    if (choice.format === "aggregated") {
      return json(aggregatedDiscovery(opts.resources, { legacy: path === "/api", apiVersion: choice.apiVersion }), choice.contentType);
    }
    return json(path === "/api" ? apiVersions() : apiGroupList(opts.resources));
  }
  if (parts[0] !== "apis") return undefined;
  if (parts.length === 2) {
    const group = apiGroup(opts.resources, parts[1]!);
    return group ? json(group) : undefined;
  }
  if (parts.length === 3) {
    const list = apiResourceList(opts.resources, parts[1]!, parts[2]!);
    return list ? json(list) : undefined;
  }
  return undefined;
}

function resourceDiscovery(info: ResourceInfo): APIResourceDiscovery {
  const responseKind = { group: info.group, version: info.version, kind: info.kind };
  return {
    resource: info.plural,
    responseKind,
    scope: "Cluster",
    singularResource: info.singular,
    verbs: [...RESOURCE_VERBS],
    ...(info.shortNames.length ? { shortNames: [...info.shortNames] } : {}),
    ...(info.categories.length ? { categories: [...info.categories] } : {}),
    ...(info.hasStatusSubresource ? { subresources: [{ subresource: "status", responseKind: { ...responseKind }, verbs: [...STATUS_VERBS] }] } : {}),
  };
}

/** Groups in the order first seen, each with its versions in the order first seen (the first is preferred). */
function groupsOf(infos: readonly ResourceInfo[]): { group: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const info of infos) {
    const versions = groups.get(info.group) ?? [];
    if (!versions.includes(info.version)) versions.push(info.version);
    groups.set(info.group, versions);
  }
  return [...groups].map(([group, versions]) => ({ group, versions }));
}

function groupEntry(group: string, versions: string[]): Omit<APIGroup, "kind" | "apiVersion"> {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0]! };
}

const sortedByPlural = (infos: readonly ResourceInfo[]) => [...infos].sort((a, b) => a.plural.localeCompare(b.plural));

/** As kube-apiserver computes it: base64 of the first 8 bytes of SHA-256("group/version/kind"). */
export function storageVersionHash(info: Pick<ResourceInfo, "group" | "version" | "kind">): string {
  return createHash("sha256").update(`${info.group}/${info.version}/${info.kind}`).digest().subarray(0, 8).toString("base64");
}
