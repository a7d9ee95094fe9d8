// Authentication: a chain of authenticators, each of which recognises one kind of credential.
// api/auth provides API keys and JWTs; mTLS client certificates slot in the same way.

import type { IncomingMessage } from "node:http";
import type { UserInfo } from "./admission.js";

export interface Credential {
  /** The raw secret presented: an API key (`clk_…`) or a bearer token. Never logged. */
  secret: string;
  /** Where it came from, for error messages. */
  source: "x-api-key" | "bearer";
}

export interface Authenticator {
  name: string;
  /**
   * Returns the user for a credential it recognises; undefined to let the next one try; throws ApiError 401 to
   * refuse. `credential` is undefined when the request carries no header credential (mTLS reads the socket).
   */
  authenticate(credential: Credential | undefined, req: IncomingMessage): Promise<UserInfo | undefined>;
}

/** The credential a request presents, from `X-API-Key` or `Authorization: Bearer`. */
export function credentialOf(req: IncomingMessage): Credential | undefined {
  const apiKey = req.headers["x-api-key"];
  if (typeof apiKey === "string" && apiKey.trim()) return { secret: apiKey.trim(), source: "x-api-key" };
  const auth = req.headers.authorization;
  if (typeof auth === "string") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return { secret: match[1]!, source: "bearer" };
  }
  return undefined;
}

export async function authenticate(chain: readonly Authenticator[], req: IncomingMessage): Promise<UserInfo | undefined> {
  const credential = credentialOf(req);
  for (const authenticator of chain) {
    const user = await authenticator.authenticate(credential, req);
    if (user) return user;
  }
  return undefined;
}
