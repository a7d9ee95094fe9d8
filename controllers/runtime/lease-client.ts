// Reads and writes the Lease of leader election (coordination.clawbernetes.com/v1) through the REST API.

import type { RestClient } from "../../api/client/rest-client.js";
import { resourcePath } from "../../api/client/resource-path.js";
import { isNotFound } from "../../api/machinery/errors.js";
import { COORDINATION_GROUP, VERSION } from "../../api/machinery/meta.js";
import { kind, plural, type Lease } from "../../api/types/lease.js";

export interface LeaseClient {
  /** The lease, or undefined when there is none yet. */
  get(name: string): Promise<Lease | undefined>;
  /** Creates it; ApiError 409 AlreadyExists when another candidate was first. */
  create(lease: Lease): Promise<Lease>;
  /** Replaces it if metadata.resourceVersion is still current; ApiError 409 Conflict otherwise. */
  update(lease: Lease): Promise<Lease>;
}

export const LEASE_API_VERSION = `${COORDINATION_GROUP}/${VERSION}`;

export const newLease = (name: string, spec: Lease["spec"]): Lease => ({ apiVersion: LEASE_API_VERSION, kind, metadata: { name }, spec });

export function restLeaseClient(client: RestClient, opts: { fieldManager?: string } = {}): LeaseClient {
  const gv = { group: COORDINATION_GROUP, version: VERSION };
  const query = { fieldManager: opts.fieldManager ?? "claw-leader-election" };
  return {
    async get(name) {
      try {
        return await client.requestJson<Lease>({ method: "GET", path: resourcePath(gv, { plural, name }) });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) => client.requestJson<Lease>({ method: "POST", path: resourcePath(gv, { plural }), query, body: lease }),
    update: (lease) => client.requestJson<Lease>({ method: "PUT", path: resourcePath(gv, { plural, name: lease.metadata.name }), query, body: lease }),
  };
}
