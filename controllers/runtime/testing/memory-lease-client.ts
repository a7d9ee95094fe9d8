// Test helper: a LeaseClient over a map, with the API's optimistic concurrency (409 on a stale
// resourceVersion or a second create) and a switch that makes every call fail, as an unreachable server.

import { alreadyExists, conflict, serviceUnavailable } from "../../../api/machinery/errors.js";
import type { Lease } from "../../../api/types/lease.js";
import type { LeaseClient } from "../lease-client.js";

export class MemoryLeaseClient implements LeaseClient {
  private readonly leases = new Map<string, Lease>();
  private revision = 0;
  /** While true, every call fails with 503. */
  down = false;

  async get(name: string): Promise<Lease | undefined> {
    this.check();
    const lease = this.leases.get(name);
    return lease ? structuredClone(lease) : undefined;
  }

  async create(lease: Lease): Promise<Lease> {
    this.check();
    const ref = { kind: "Lease", resource: "leases", name: lease.metadata.name };
    if (this.leases.has(lease.metadata.name)) throw alreadyExists(ref);
    return this.store(lease);
  }

  async update(lease: Lease): Promise<Lease> {
    this.check();
    const live = this.leases.get(lease.metadata.name);
    const ref = { kind: "Lease", resource: "leases", name: lease.metadata.name };
    if (!live || live.metadata.resourceVersion !== lease.metadata.resourceVersion) throw conflict(ref, "the object has been modified; please apply your changes to the latest version and try again");
    return this.store(lease);
  }

  /** The holder as stored. */
  holder(name: string): string | undefined {
    return this.leases.get(name)?.spec?.holderIdentity || undefined;
  }

  private store(lease: Lease): Lease {
    const stored = structuredClone({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.revision) } });
    this.leases.set(lease.metadata.name, stored);
    return structuredClone(stored);
  }

  private check(): void {
    if (this.down) throw serviceUnavailable("the store is unavailable");
  }
}
