// Maps what a person types (plural, singular, short name, kind, `plural.group`) to a served resource,
// from discovery fetched once per invocation.

import type { APIResource, APIResourceList } from "../../api/client/api-types.js";

export interface ResolvedKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
}

/** `role.security.clawbernetes.com`: how kubectl names a kind in `-o name` and in apply/delete lines. */
export const qualifiedKind = (k: ResolvedKind): string => `${k.kind.toLowerCase()}.${k.group}`;
/** `roles.security.clawbernetes.com`: how the server names a resource in messages. */
export const qualifiedResource = (k: ResolvedKind): string => `${k.plural}.${k.group}`;

/** A name the server does not serve; the message says which names it does. */
export class UnknownResourceTypeError extends Error {
  override name = "UnknownResourceTypeError";
  constructor(
    readonly input: string,
    known: ResolvedKind[],
  ) {
    const names = known.map((k) => (k.shortNames.length ? `${k.plural} (${k.shortNames.join(", ")})` : k.plural)).join(", ");
    super(`the server doesn't have a resource type "${input}"; it serves: ${names}`);
  }
}

export class KindResolver {
  private discovery: Promise<ResolvedKind[]> | undefined;

  constructor(private readonly fetchDiscovery: () => Promise<APIResourceList>) {}

  /** All kinds the server serves (subresources left out), discovered on first use. */
  all(): Promise<ResolvedKind[]> {
    this.discovery ??= this.fetchDiscovery().then(kindsOf);
    return this.discovery;
  }

  async resolve(input: string): Promise<ResolvedKind> {
    const kinds = await this.all();
    const found = matchKind(kinds, input);
    if (!found) throw new UnknownResourceTypeError(input, kinds);
    return found;
  }

  /** The served kind of a manifest's apiVersion and kind, or undefined. */
  async byApiVersionKind(apiVersion: string, kind: string): Promise<ResolvedKind | undefined> {
    const kinds = await this.all();
    return kinds.find((k) => `${k.group}/${k.version}` === apiVersion && k.kind === kind);
  }
}

export function kindsOf(list: APIResourceList): ResolvedKind[] {
  const [group, version] = list.groupVersion.includes("/") ? list.groupVersion.split("/") : ["", list.groupVersion];
  return list.resources
    .filter((r: APIResource) => !r.name.includes("/"))
    .map((r) => ({
      group: r.group ?? group ?? "",
      version: r.version ?? version ?? "",
      kind: r.kind,
      plural: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      shortNames: r.shortNames ?? [],
    }));
}

export function matchKind(kinds: ResolvedKind[], input: string): ResolvedKind | undefined {
  const wanted = input.trim().toLowerCase();
  const dot = wanted.indexOf(".");
  const [name, group] = dot > 0 ? [wanted.slice(0, dot), wanted.slice(dot + 1)] : [wanted, undefined];
  return kinds.find((k) => {
    if (group !== undefined && group !== k.group.toLowerCase() && group !== `${k.version}.${k.group}`.toLowerCase()) return false;
    return [k.plural, k.singular, k.kind, ...k.shortNames].some((n) => n.toLowerCase() === name);
  });
}
