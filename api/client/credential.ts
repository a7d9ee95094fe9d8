// What a client presents to the server: an API key (`clk_…`) or a JWT, both sent as a bearer token.

export type CredentialType = "apiKey" | "token";

export interface Credential {
  type: CredentialType;
  /** The secret itself. Never printed or logged. */
  value: string;
}

/** API keys are minted with the `clk_` prefix; anything else is treated as a session token (JWT). */
export const credentialTypeOf = (value: string): CredentialType => (value.startsWith("clk_") ? "apiKey" : "token");

/**
 * Both kinds travel as `Authorization: Bearer …`, the header kubectl sends for a kubeconfig `token`,
 * so `claw` and kubectl exercise the same server path with the same credential.
 */
export const authorizationHeaders = (credential: Credential | undefined): Record<string, string> =>
  credential ? { authorization: `Bearer ${credential.value}` } : {};
