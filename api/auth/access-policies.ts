// The identity routes' named policies: narrower exceptions to a route's permission, pure functions of the
// request and the caller. The handler reads the grant's name (ctx.grant) and holds the caller to it.

import type { AccessPolicy } from "../server/route-table.js";

/** A user may change their own password without users:update — by proving the current one (the handler checks it). */
export const ownPassword: AccessPolicy = ({ info, user }) => (info.name === user.name ? OWN_PASSWORD : undefined);
export const OWN_PASSWORD = "own-password";

/** A key's owner may mint and rotate its secret without apikeys:admin (the handler checks ownership on the stored key). */
export const keyOwner: AccessPolicy = () => KEY_OWNER;
export const KEY_OWNER = "key-owner";

