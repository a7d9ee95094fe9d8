// [auth] disable_inactive_after_days turns on the inactive-credentials controllers and, with them only,
// the controllers' right to patch users and apikeys.

import { describe, expect, it } from "vitest";
import { INACTIVE_APIKEYS_CONTROLLER } from "../../controllers/apikeys/inactive-apikeys-controller.js";
import { INACTIVE_USERS_CONTROLLER } from "../../controllers/users/inactive-users-controller.js";
import { CONTROLLER_RULES, CONTROLLERS, controllerSetFor, INACTIVE_CREDENTIALS_RULES, inProcessCredential } from "./controllers.js";

const canPatchUsers = (rules: readonly { resources: readonly string[]; verbs: readonly string[] }[]) => rules.some((r) => r.resources.includes("users") && r.verbs.includes("patch"));

describe("controllerSetFor", () => {
  it("is the usual controllers and rules when the setting is absent", () => {
    const set = controllerSetFor({});
    expect(set).toEqual({ controllers: CONTROLLERS, rules: CONTROLLER_RULES });
    expect(canPatchUsers(set.rules)).toBe(false);
  });

  it("adds the two controllers and the patch rule when the setting is given", () => {
    const set = controllerSetFor({ disableInactiveAfterDays: 90 });
    expect(set.controllers).toHaveLength(CONTROLLERS.length + 2);
    expect(set.rules).toEqual([...CONTROLLER_RULES, ...INACTIVE_CREDENTIALS_RULES]);
    expect(canPatchUsers(set.rules)).toBe(true);
    expect([INACTIVE_USERS_CONTROLLER, INACTIVE_APIKEYS_CONTROLLER]).toEqual(["inactive-users", "inactive-apikeys"]);
  });

  it("gives the in-process credential the rules it is handed", async () => {
    const access = inProcessCredential({ randomBytes: (n) => new Uint8Array(n).fill(3), rules: controllerSetFor({ disableInactiveAfterDays: 30 }).rules });
    const user = await access.authenticator.authenticate({ secret: access.credential.value, source: "bearer" }, {} as never);
    expect(canPatchUsers(user?.system?.rules ?? [])).toBe(true);
  });
});
