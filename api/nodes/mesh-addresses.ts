// Mesh addresses, one per node, from the mesh CIDR. Each is claimed by creating /claw/nodes/mesh/<address>
// (create-if-absent in the store), so two servers allocating at once never hand out one address twice; the
// claim names the Node's uid, and is released when the Node is deleted.

import { formatIp, parseCidr, type Cidr } from "../machinery/ip-address.js";
import { serviceUnavailable } from "../machinery/errors.js";
import { internalKey } from "../store/keys.js";
import type { Store } from "../store/store.js";

interface Claim {
  node: string;
  uid: string;
}

const claimsPrefix = internalKey("nodes", "mesh/");
const claimKey = (address: string) => `${claimsPrefix}${address}`;

export class MeshAddresses {
  private readonly cidr: Cidr;

  constructor(private readonly opts: { store: Store; meshCidr: string }) {
    const cidr = parseCidr(opts.meshCidr);
    if (!cidr) throw new Error(`mesh CIDR ${opts.meshCidr} is not a CIDR block`);
    this.cidr = cidr;
  }

  /** The prefix length addresses are given with on the node's interface. */
  get prefix(): number {
    return this.cidr.prefix;
  }

  /**
   * The address this node (by uid) holds, claiming the lowest free one when it holds none. `hint` (the address
   * in the Node's status) is checked first with one read, so a reconnecting node costs no scan of every claim.
   */
  async claim(node: string, uid: string, hint?: string): Promise<string> {
    if (hint !== undefined) {
      const held = await this.opts.store.get(claimKey(hint));
      if (held && (JSON.parse(held.value) as Claim).uid === uid) return hint;
    }
    const page = await this.opts.store.list(claimsPrefix);
    const taken = new Set<string>();
    for (const kv of page.items) {
      const address = kv.key.slice(claimsPrefix.length);
      const claim = JSON.parse(kv.value) as Claim;
      if (claim.uid === uid) return address;
      taken.add(address);
    }
    for (const address of this.candidates()) {
      if (taken.has(address)) continue;
      const result = await this.opts.store.txn([{ key: claimKey(address), absent: true }], [{ kind: "put", key: claimKey(address), value: JSON.stringify({ node, uid } satisfies Claim) }]);
      if (result.succeeded) return address;
    }
    throw serviceUnavailable(`the mesh CIDR ${this.cidr.text} has no free address left for node "${node}": widen [nodes] mesh_cidr in gateway.toml or remove unused nodes`);
  }

  /** Releases every address claimed for `uid` (a deleted Node). */
  async release(uid: string): Promise<void> {
    const page = await this.opts.store.list(claimsPrefix);
    for (const kv of page.items) if ((JSON.parse(kv.value) as Claim).uid === uid) await this.opts.store.delete(kv.key, kv.modRevision).catch(() => undefined);
  }

  /** Every host address of the CIDR, lowest first, skipping the network (and, for IPv4, broadcast) address. */
  private *candidates(): Generator<string> {
    const { family, bytes, prefix } = this.cidr;
    const width = family === 4 ? 32 : 128;
    const hostBits = width - prefix;
    // Never more than 2^20 tries: a /8 has room enough, and the scan must stay bounded.
    const count = hostBits >= 20 ? 1 << 20 : (1 << hostBits) - (family === 4 ? 1 : 0);
    for (let i = 1; i < count; i++) {
      const out = bytes.slice();
      let carry = i;
      for (let b = out.length - 1; b >= 0 && carry > 0; b--) {
        const sum = out[b]! + (carry & 0xff);
        out[b] = sum & 0xff;
        carry = (carry >>> 8) + (sum >> 8);
      }
      yield formatIp({ family, bytes: out });
    }
  }
}
