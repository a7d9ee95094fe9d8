// A RestClient for a running server's admin.conf, as the CLI would build it.

import { RestClient } from "../../api/client/rest-client.js";
import { resolveClientConfig } from "../../cmd/cli/config/client-config.js";

export async function adminClient(adminConfig: string, options: { maxConnections?: number } = {}): Promise<RestClient> {
  const resolved = await resolveClientConfig({ flags: { config: adminConfig }, env: {}, homeDir: "/nonexistent" });
  return new RestClient({
    server: resolved.server,
    tls: resolved.tls,
    ...(resolved.credential ? { credential: resolved.credential } : {}),
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
  });
}
