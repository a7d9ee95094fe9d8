// POST /apis/security.clawbernetes.com/v1/users/{name}/password: set a user's password.
//   - a user changes their own by giving currentPassword, with no permission needed;
//   - otherwise the caller needs users:update and must hold every permission of the user's roles, since
//     whoever sets a password can log in as that user.

import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, invalid, notFound } from "../machinery/errors.js";
import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import { refOf } from "../server/resource-service.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf, expectMethod, optionalString, readJsonObject } from "./endpoint-io.js";
import { requireHeld } from "./escalation.js";
import { passwordProblem } from "./passwords.js";
import { forbiddenFor } from "./rbac.js";

export async function setPassword(ctx: RequestContext, deps: AuthEndpointDeps, username: string): Promise<void> {
  expectMethod(ctx, "POST", { verb: "create", resource: "users", subresource: "password" });
  const caller = callerOf(ctx);
  const body = await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes });
  const password = optionalString(body, "password");
  const currentPassword = optionalString(body, "currentPassword");
  const { resolver } = deps;
  const self = caller.name === username;

  if (self && currentPassword !== undefined) {
    const user = await deps.records.users.get(username);
    const stored = user ? await deps.passwords.get(username) : undefined;
    const ok = await deps.hasher.verify(currentPassword, stored && user && stored.userUid === user.uid ? stored : undefined);
    if (!ok) throw new ApiError(403, "Forbidden", `the current password of user "${username}" is not correct`);
  } else {
    const decision = resolver.decide(await resolver.of(caller), "users", "update");
    if (!decision.allowed) {
      const hint = self ? "; to change your own password, give currentPassword" : "";
      throw forbiddenFor({ user: caller, action: "set the password of", what: "users", name: username, reason: `${decision.reason}${hint}` });
    }
    const target = await resolver.ofUser(username);
    if (!target.user) throw notFound(refOf(deps.users, username));
    await requireHeld({ resolver, user: caller, wanted: target.rolePermissions, attempt: `set the password of user "${username}"`, target: { kind: "users", name: username } });
  }

  const problem = password === undefined ? "Required value" : passwordProblem(password);
  if (problem || password === undefined)
    throw invalid({ group: deps.users.group, kind: "SetPasswordRequest", name: username }, [
      { field: "password", reason: password === undefined ? "FieldValueRequired" : "FieldValueInvalid", message: password === undefined ? "Required value: the new password" : `Invalid value: the password ${problem ?? ""}` },
    ]);
  const user = await deps.records.users.get(username);
  if (!user) throw notFound(refOf(deps.users, username));
  const record = await deps.hasher.hash(password, { userUid: user.uid, setAt: toRfc3339(deps.clock.now()) });
  await deps.passwords.set(username, record);
  sendJson(ctx.res, 200, {});
}
