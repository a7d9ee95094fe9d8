// URL paths and query strings of the Kubernetes REST layout, for cluster-scoped resources.

export interface GroupVersion {
  group: string;
  version: string;
}

export interface ResourcePathParts {
  plural: string;
  name?: string;
  subresource?: string;
}

export const groupVersionPath = (gv: GroupVersion): string =>
  gv.group === "" ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;

export function resourcePath(gv: GroupVersion, parts: ResourcePathParts): string {
  let path = `${groupVersionPath(gv)}/${encodeURIComponent(parts.plural)}`;
  if (parts.name !== undefined) {
    if (parts.name === "") throw new Error(`a ${parts.plural} name must not be empty`);
    path += `/${encodeURIComponent(parts.name)}`;
    if (parts.subresource) path += `/${encodeURIComponent(parts.subresource)}`;
  }
  return path;
}

export type QueryValue = string | number | boolean | undefined;

/** `?a=1&b=x` from the defined values, in the given order; empty when none is defined. */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.append(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}
