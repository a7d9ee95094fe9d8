// POST apikeys/{name}/secret (mint once) and apikeys/{name}/rotate. Only the key's owner or a holder of
// users:admin or apikeys:admin may call them, and only with every permission the key would carry (so a
// narrow key cannot mint the secret of a wider one).

import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import type { ApiKey } from "../types/api-key.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf, expectMethod } from "./endpoint-io.js";
import { requireHeld } from "./escalation.js";
import { forbiddenFor } from "./rbac.js";
import { permissionsOrEmpty } from "../rbac/permissions.js";

export async function apiKeySecret(ctx: RequestContext, deps: AuthEndpointDeps, name: string, rotate: boolean): Promise<void> {
  const verb = rotate ? "rotate" : "secret";
  expectMethod(ctx, "POST", { verb: "create", resource: "apikeys", subresource: verb });
  const caller = callerOf(ctx);
  const { resolver } = deps;
  const key = (await deps.service().get(deps.apiKeys, name)) as ApiKey;
  const owner = key.spec?.owner ?? "";
  if (resolver.rbacEnabled && caller.name !== owner) {
    const mine = await resolver.of(caller);
    if (!mine.permissions.allows("users", "admin") && !mine.permissions.allows("apikeys", "admin"))
      throw forbiddenFor({
        user: caller,
        action: rotate ? "rotate" : "fetch the secret of",
        what: "apikeys",
        name,
        reason: `only its owner "${owner}" or a holder of users:admin or apikeys:admin may`,
      });
  }
  const ownerRoles = (await resolver.ofUser(owner)).rolePermissions;
  const carried = ownerRoles.intersect(permissionsOrEmpty(key.spec?.scopes));
  await requireHeld({ resolver, user: caller, wanted: carried, attempt: `${rotate ? "rotate" : "mint"} API key "${name}"`, target: { kind: "apikeys", name } });
  const minted = await deps.minter.mint(name, { rotate, user: caller });
  sendJson(ctx.res, rotate ? 200 : 201, minted);
}
