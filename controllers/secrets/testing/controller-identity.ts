// Test helper: a client that reaches an envtest as the in-process controllers do — system:controller-manager,
// authorized by CONTROLLER_RULES alone — so a test proves those rules suffice and the server sees the
// controllers' identity (automatic rotation is recorded as source Rotated only for it).

import { RestClient } from "../../../api/client/rest-client.js";
import type { EnvTest } from "../../../test/envtest.js";

export function controllerIdentityClient(env: EnvTest): RestClient {
  if (!env.controllerCredential) throw new Error("start the envtest with { controllerIdentity: true }");
  return new RestClient({ server: env.url, credential: env.controllerCredential });
}
