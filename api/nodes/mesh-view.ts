// What every session is told, computed from the store: each node's WireGuard peers and the active blocklist.
// It mirrors Nodes, Certificates and BlockRules by watch, so a node removed, cordoned for the mesh, or whose
// certificate is revoked (or deleted, which revokes it) leaves every peer list as soon as any server writes it.

import type { Logger } from "pino";
import type { Clock } from "../machinery/clock.js";
import { parseCidr } from "../machinery/ip-address.js";
import { GROUP } from "../machinery/meta.js";
import { PrefixMirror } from "../store/prefix-mirror.js";
import { resourcePrefix } from "../store/keys.js";
import type { Store } from "../store/store.js";
import type { BlockRule } from "../types/block-rule.js";
import { blockRuleExpiry } from "../types/block-rule-expiry.js";
import type { Certificate } from "../types/certificate.js";
import type { Node } from "../types/node.js";
import { nodeCertificateName, type MeshPeer } from "../types/nodes-api.js";

export type MeshListener = () => void;

export class MeshView {
  readonly nodes: PrefixMirror<Node>;
  private readonly certificates: PrefixMirror<Certificate>;
  private readonly blockRules: PrefixMirror<BlockRule>;
  private readonly listeners = new Set<MeshListener>();
  private scheduled = false;
  private memberCache: MeshPeer[] | undefined;
  private expiryTimer: { cancel(): void } | undefined;

  constructor(
    private readonly opts: {
      store: Store;
      clock: Clock;
      logger: Logger;
      /** A Node was deleted (every server hears it; the module releases its address and ends its session). */
      onNodeDeleted: (node: Node) => void;
    },
  ) {
    const mirror = <T extends Node | Certificate | BlockRule>(plural: string, onDelete?: (gone: readonly T[]) => void) =>
      new PrefixMirror<T>({
        store: opts.store,
        prefix: resourcePrefix(GROUP, plural),
        logger: opts.logger,
        onChange: (_names, deleted) => {
          onDelete?.(deleted);
          this.changed();
        },
      });
    this.nodes = mirror<Node>("nodes", (gone) => gone.forEach((n) => opts.onNodeDeleted(n)));
    this.certificates = mirror<Certificate>("certificates");
    this.blockRules = mirror<BlockRule>("blockrules");
  }

  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.certificates.start(), this.blockRules.start()]);
  }

  stop(): void {
    this.nodes.stop();
    this.certificates.stop();
    this.blockRules.stop();
    this.expiryTimer?.cancel();
  }

  /** Called (coalesced, once per turn of the event loop) after anything the lists depend on changed. */
  subscribe(listener: MeshListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Whether the node's certificate is revoked or gone (deleting a Certificate revokes it): such a node is in
   * nobody's peer list and its session ends. A certificate the store does not hold (issued outside claw's
   * PKI, trusted through [tls] ca) is judged by the CRL at the handshake only.
   */
  certificateRevoked(node: Node): boolean {
    const name = node.status?.certificate?.name;
    if (!name) return false;
    const cert = this.certificates.get(name);
    return !cert || cert.spec?.revoked === true;
  }

  /** The Certificate whose current serial is `serial` (hex, any case, leading zeros or not). */
  certificateWithSerial(serial: string): string | undefined {
    const wanted = normalSerial(serial);
    if (wanted === "") return undefined;
    for (const cert of this.certificates.values()) if (normalSerial(cert.status?.serialNumber ?? "") === wanted) return cert.metadata.name;
    return undefined;
  }

  /** When the node's current certificate is due for renewal (RFC 3339), as its Certificate says. */
  renewalTimeOf(name: string): string | undefined {
    const node = this.nodes.get(name);
    return this.certificates.get(node?.status?.certificate?.name ?? nodeCertificateName(name))?.status?.renewalTime;
  }

  /** Whether the node belongs in other nodes' peer lists. */
  inMesh(node: Node): boolean {
    const mesh = node.status?.mesh;
    return (
      mesh?.provider === "wireguard" &&
      typeof mesh.publicKey === "string" &&
      typeof mesh.address === "string" &&
      node.metadata.deletionTimestamp === undefined &&
      node.spec?.meshCordoned !== true &&
      !this.certificateRevoked(node)
    );
  }

  /** The peers of `name`: every other node in the mesh, sorted by name. */
  peersOf(name: string): MeshPeer[] {
    return this.members().filter((peer) => peer.name !== name);
  }

  /** Every node in the mesh as a peer, sorted by name; computed once per change, however many sessions ask. */
  private members(): MeshPeer[] {
    if (this.memberCache) return this.memberCache;
    const peers: MeshPeer[] = [];
    for (const node of this.nodes.values()) {
      if (!this.inMesh(node)) continue;
      const mesh = node.status!.mesh!;
      const host = parseCidr(mesh.address!);
      if (!host) continue;
      peers.push({ name: node.metadata.name ?? "", publicKey: mesh.publicKey!, ...(mesh.endpoint ? { endpoint: mesh.endpoint } : {}), allowedIPs: [host.text] });
    }
    this.memberCache = peers.sort((a, b) => a.name.localeCompare(b.name));
    return this.memberCache;
  }

  /** The CIDRs actively blocked now, canonical and sorted; the view wakes its listeners when the next one expires. */
  blocklist(): string[] {
    const now = this.opts.clock.now();
    const cidrs = new Set<string>();
    let nextExpiry = Number.POSITIVE_INFINITY;
    for (const rule of this.blockRules.values()) {
      const cidr = rule.spec ? parseCidr(rule.spec.cidr) : undefined;
      const expiry = blockRuleExpiry(rule);
      if (!cidr || expiry.kind === "invalid") continue;
      if (expiry.kind === "at") {
        if (expiry.ms <= now) continue;
        nextExpiry = Math.min(nextExpiry, expiry.ms);
      }
      cidrs.add(cidr.text);
    }
    this.wakeAt(nextExpiry);
    return [...cidrs].sort();
  }

  private wakeAt(ms: number): void {
    this.expiryTimer?.cancel();
    this.expiryTimer = undefined;
    if (!Number.isFinite(ms)) return;
    this.expiryTimer = this.opts.clock.setTimer(Math.max(0, ms - this.opts.clock.now()) + 1, () => this.changed());
  }

  private changed(): void {
    this.memberCache = undefined;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}

const normalSerial = (serial: string) => serial.toLowerCase().replace(/^0+/, "");
