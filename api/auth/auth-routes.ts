// Mounts the endpoints of api/auth/endpoints.ts on the ApiServer: login as a public route, the rest as
// prefix routes tried before the generic resource handler (which serves only the status subresource).

import { pathNotFound } from "../machinery/errors.js";
import type { Route } from "../server/api-server.js";
import type { RequestContext } from "../server/request-context.js";
import { apiKeySecret } from "./api-key-endpoints.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { AUTH_API, authPaths, SECURITY_API } from "../types/auth-api.js";
import { setPassword } from "./password-endpoint.js";
import { accessReview, whoami } from "./review-endpoints.js";
import { login, logout, refresh } from "./session-endpoints.js";

type Handler = (ctx: RequestContext, deps: AuthEndpointDeps) => Promise<void>;

const AUTH_HANDLERS: ReadonlyMap<string, Handler> = new Map([
  [authPaths.refresh, refresh],
  [authPaths.logout, logout],
  [authPaths.whoami, whoami],
  [authPaths.accessReview, accessReview],
]);

/** `/…/{plural}/{name}/{sub}` under SECURITY_API, or undefined. */
function subresourceOf(path: string, plural: string): { name: string; sub: string } | undefined {
  const rest = path.slice(`${SECURITY_API}/${plural}/`.length).split("/");
  if (rest.length !== 2 || !rest[0] || !rest[1]) return undefined;
  try {
    return { name: decodeURIComponent(rest[0]), sub: rest[1] };
  } catch {
    return undefined;
  }
}

const trimmed = (ctx: RequestContext) => ctx.url.pathname.replace(/\/+$/, "");

export function authPublicRoutes(deps: AuthEndpointDeps): Map<string, Route> {
  return new Map<string, Route>([[authPaths.login, (ctx) => login(ctx, deps)]]);
}

export function authPrefixRoutes(deps: AuthEndpointDeps): [string, Route][] {
  const auth: Route = async (ctx) => {
    const path = trimmed(ctx);
    const handler = AUTH_HANDLERS.get(path);
    if (!handler) throw pathNotFound(path);
    await handler(ctx, deps);
  };
  const password: Route = async (ctx) => {
    const target = subresourceOf(trimmed(ctx), "users");
    if (target?.sub !== "password") return false;
    await setPassword(ctx, deps, target.name);
  };
  const apiKey: Route = async (ctx) => {
    const target = subresourceOf(trimmed(ctx), "apikeys");
    if (target?.sub !== "secret" && target?.sub !== "rotate") return false;
    await apiKeySecret(ctx, deps, target.name, target.sub === "rotate");
  };
  return [
    [`${AUTH_API}/`, auth],
    [`${SECURITY_API}/users/`, password],
    [`${SECURITY_API}/apikeys/`, apiKey],
  ];
}
