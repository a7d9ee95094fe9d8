// POST /apis/security.clawbernetes.com/v1/users/{name}/password: set a user's password.
//   - a user changes their own by giving currentPassword, with no permission needed (the route's policy);
//   - otherwise the caller needs users:update (the route's permission) and must hold every permission of
//     the user's roles (even while it is disabled), since whoever sets a password can log in as that user.

import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, invalid, notFound } from "../machinery/errors.js";
import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import { refOf } from "../server/resource-service.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf, optionalString, readJsonObject } from "./endpoint-io.js";
import { requireHoldsUser } from "./escalation.js";
import { passwordProblem } from "./passwords.js";
import { OWN_PASSWORD } from "./access-policies.js";
import { ipOf } from "./session-endpoints.js";

export async function setPassword(ctx: RequestContext, deps: AuthEndpointDeps, username: string): Promise<void> {
  const caller = callerOf(ctx);
  const body = await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes });
  const password = optionalString(body, "password");
  const currentPassword = optionalString(body, "currentPassword");
  const { resolver } = deps;
  const self = caller.name === username;

  // Without users:update, the route's policy let only the user themself through, and only with the current password.
  if (ctx.grant === OWN_PASSWORD && currentPassword === undefined)
    throw new ApiError(403, "Forbidden", `user "${caller.name}" cannot set the password of users "${username}": needs users:update; to change your own password, give currentPassword`);
  if (self && currentPassword !== undefined) {
    const user = await deps.records.users.get(username);
    const stored = user ? await deps.passwords.get(username) : undefined;
    const ok = await deps.hasher.verify(currentPassword, stored && user && stored.userUid === user.uid ? stored : undefined);
    if (!ok) throw new ApiError(403, "Forbidden", `the current password of user "${username}" is not correct`);
  } else {
    const target = await resolver.heldBy(username);
    if (!target.user) throw notFound(refOf(deps.users, username));
    await requireHoldsUser({ resolver, user: caller, target, attempt: `set the password of user "${username}"`, ref: { kind: "users", name: username } });
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
  await deps.audit.record({
    type: "auth.password.set",
    actor: caller.name,
    ...ipOf(ctx),
    resource: { group: deps.users.group, kind: "User", name: username },
    outcome: "success",
    details: { self: self && currentPassword !== undefined },
  });
  sendJson(ctx.res, 200, {});
}
