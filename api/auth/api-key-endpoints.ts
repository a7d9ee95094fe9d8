// POST apikeys/{name}/secret (mint once) and apikeys/{name}/rotate. Only the key's owner or a holder of
// apikeys:admin may call them (the route's permission and policy), and only with every permission the key
// would carry (so a narrow key cannot mint the secret of a wider one), judging the owner by its roles even
// while it is disabled; the secret is bound to the owner's uid as that check saw it.

import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import type { ApiKey } from "../types/api-key.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf } from "./endpoint-io.js";
import { requireHoldsUser } from "./escalation.js";
import { isNotFound } from "../machinery/errors.js";
import { forbiddenFor } from "../server/authorizer.js";
import { KEY_OWNER } from "./access-policies.js";
import { ipOf } from "./session-endpoints.js";
import { permissionsOrEmpty } from "../rbac/permissions.js";

export async function apiKeySecret(ctx: RequestContext, deps: AuthEndpointDeps, name: string, rotate: boolean): Promise<void> {
  const caller = callerOf(ctx);
  const { resolver } = deps;
  // Without apikeys:admin, the route's policy admits only the key's owner — and a missing key answers as
  // someone else's would, so a caller without the permission cannot probe which key names exist.
  const notYours = () => forbiddenFor({ user: caller, action: rotate ? "rotate" : "fetch the secret of", what: "apikeys", name, reason: "only its owner or a holder of apikeys:admin may" });
  let key: ApiKey;
  try {
    key = (await deps.service().get(deps.apiKeys, name)) as ApiKey;
  } catch (err) {
    if (ctx.grant === KEY_OWNER && isNotFound(err)) throw notYours();
    throw err;
  }
  const owner = key.spec?.owner ?? "";
  if (ctx.grant === KEY_OWNER && caller.name !== owner) throw notYours();
  const target = await resolver.heldBy(owner);
  const scopes = permissionsOrEmpty(key.spec?.scopes);
  await requireHoldsUser({ resolver, user: caller, target, scopes, attempt: `${rotate ? "rotate" : "mint"} API key "${name}"`, ref: { kind: "apikeys", name } });
  const minted = await deps.minter.mint(name, { rotate, user: caller, ...(target.user ? { ownerUid: target.user.uid } : {}) });
  // Recorded before the secret leaves: a key no entry knows about is never handed out.
  await deps.audit.record({
    type: "auth.apikey.created",
    actor: caller.name,
    ...ipOf(ctx),
    resource: { group: deps.apiKeys.group, kind: "ApiKey", name },
    outcome: "success",
    details: { operation: rotate ? "rotated" : "minted", keyId: minted.keyId, owner },
  });
  sendJson(ctx.res, rotate ? 200 : 201, minted);
}
