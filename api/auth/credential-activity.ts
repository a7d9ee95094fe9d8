// Credential telemetry: when a user last logged in (User status.lastLoginTime) and when an API key last
// authenticated a request (ApiKey status.lastUsedTime). Written through the status subresource at most
// once per credential per interval, remembered in memory, so a hot key does not write on every request.

import type { Logger } from "pino";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import { conflict, isNotFound } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import { refOf, type ResourceService } from "../server/resource-service.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { CREDENTIAL_ACTIVITY_MANAGER } from "../types/auth-api.js";

export const DEFAULT_ACTIVITY_INTERVAL_MS = 3_600_000;

export interface CredentialActivityOptions {
  service: () => ResourceService;
  users: ResourceInfo;
  apiKeys: ResourceInfo;
  clock: Clock;
  logger: Logger;
  /** At most one write per credential per interval (default one hour). */
  intervalMs?: number;
}

type Field = "lastLoginTime" | "lastUsedTime";

export class CredentialActivity {
  /** "{plural}/{uid}" → when its time was last written (ms). */
  private readonly written = new Map<string, number>();

  constructor(private readonly opts: CredentialActivityOptions) {}

  /** A successful password login of the user with this name and uid. */
  loggedIn(user: { name: string; uid: string }): Promise<void> {
    return this.note(this.opts.users, user, "lastLoginTime");
  }

  /** A request authenticated by the ApiKey with this name and uid. */
  apiKeyUsed(key: { name: string; uid: string }): Promise<void> {
    return this.note(this.opts.apiKeys, key, "lastUsedTime");
  }

  /** Best effort: the request it rides on succeeds whether or not the write does. */
  private async note(info: ResourceInfo, who: { name: string; uid: string }, field: Field): Promise<void> {
    const now = this.opts.clock.now();
    const slot = `${info.plural}/${who.uid}`;
    const last = this.written.get(slot);
    if (last !== undefined && now - last < (this.opts.intervalMs ?? DEFAULT_ACTIVITY_INTERVAL_MS)) return;
    this.written.set(slot, now);
    const at = toRfc3339(now);
    try {
      await this.opts.service().guaranteedUpdate(info, who.name, { fieldManager: CREDENTIAL_ACTIVITY_MANAGER, fieldValidation: "Strict", dryRun: false, subresource: "status" }, (live): KubeObject => {
        if (live.metadata.uid !== who.uid) throw conflict(refOf(info, who.name), "the object was replaced");
        return { ...live, status: { ...(live.status ?? {}), [field]: at } };
      });
    } catch (err) {
      if (!isNotFound(err)) this.opts.logger.warn({ err: (err as Error).message, [info.kind.toLowerCase()]: who.name }, `could not record ${field}`);
    }
  }
}
