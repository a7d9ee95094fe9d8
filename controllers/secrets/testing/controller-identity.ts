// Test helper: a client that reaches an envtest as the in-process controllers do — system:controller-manager,
// authorized by CONTROLLER_RULES alone — so a test proves those rules suffice and the server sees the
// controllers' identity (automatic rotation is recorded as source Rotated only for it).

import { RestClient } from "../../../api/client/rest-client.js";
import type { Authenticator } from "../../../api/server/authentication.js";
import { inProcessCredential } from "../../../cmd/server/controllers.js";
import type { EnvTest } from "../../../test/envtest.js";

export function controllerIdentityClient(env: EnvTest): RestClient {
  const access = inProcessCredential({ randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) });
  // The envtest has no in-process controllers and no option for more authenticators: put theirs first in its
  // chain, as `claw server` does (api-server.ts reads the chain on every request).
  (env.server as unknown as { opts: { authenticators: Authenticator[] } }).opts.authenticators.unshift(access.authenticator);
  return new RestClient({ server: env.url, credential: access.credential });
}
