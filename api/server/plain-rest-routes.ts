// The security guide's plain REST paths (`curl -H "X-API-Key: clk_…" https://gateway:8080/api/nodes`): for each
// kind of the security group, `GET /api/{plural}` and `GET /api/{plural}/{name}` are read-only aliases of the
// real list and get — the same RequestInfo, permission, cost and handler, so authentication, authorization,
// audit and masking cannot differ. Writes answer 405 naming the real path. Each path is a literal, never a
// `/api/{plural}` capture, so `/api` (kubectl's core discovery) and `/api/v1` answer exactly as before.

import { GROUP } from "../machinery/meta.js";
import { ApiError } from "../machinery/errors.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { HttpMethod, Route } from "./route-table.js";

export const PLAIN_REST_PREFIX = "/api";

/** `resources` are resourceRoutes' entries: the aliases copy their list and get routes. */
export function plainRestRoutes(registry: readonly ResourceInfo[], resources: readonly Route[]): Route[] {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const routes: Route[] = [];
  for (const info of registry.filter((i) => i.group === GROUP)) {
    const list = byId.get(`${info.plural}.list`);
    const get = byId.get(`${info.plural}.get`);
    if (!list || !get) continue;
    const base = `${PLAIN_REST_PREFIX}/${info.plural}`;
    const real = `/apis/${info.group}/${info.version}/${info.plural}`;
    routes.push({ ...list, id: `api.${info.plural}.list`, path: base }, { ...get, id: `api.${info.plural}.get`, path: `${base}/{name}` });
    const readOnly = (method: HttpMethod, path: string, realPath: string): Route => ({
      id: `api.${info.plural}.${method.toLowerCase()}`,
      method,
      path,
      verb: method === "POST" ? "post" : method === "PUT" ? "put" : method === "PATCH" ? "patch" : "delete",
      target: { group: info.group, version: info.version, resource: info.plural, isResourceRequest: false },
      // Refusing reveals nothing: any credential learns the same 405.
      access: { kind: "authenticated" },
      cost: "probe",
      handler: () => {
        throw new ApiError(405, "MethodNotAllowed", `${path.replace("{name}", "NAME")} is a read-only alias (GET only); ${method} through ${realPath}`);
      },
    });
    routes.push(readOnly("POST", base, real));
    for (const method of ["PUT", "PATCH", "DELETE"] as const) routes.push(readOnly(method, `${base}/{name}`, `${real}/NAME`));
  }
  return routes;
}
