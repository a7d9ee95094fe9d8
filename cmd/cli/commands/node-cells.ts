// The cells the node tables share (list, mesh): every one a pure function of the node and the time.

import type { Node, NodeMesh } from "../../../api/types/node.js";
import { humanDuration } from "../printers/age.js";
import { UNKNOWN } from "./node-context.js";

/** How much of a WireGuard public key a table shows: enough to tell keys apart at a glance. */
const KEY_PREFIX = 8;

const timeOf = (timestamp: string | undefined): number | undefined => {
  if (!timestamp) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) ? undefined : at;
};

export const yesNo = (value: boolean | undefined): string => (value ? "yes" : "no");

/** "89d", "5h", "3h12m" until the node's certificate expires; "expired" once past; "-" when unknown. */
export function certExpiresIn(node: Node, nowMs: number): string {
  const at = timeOf(node.status?.certificate?.notAfter);
  if (at === undefined) return UNKNOWN;
  return at <= nowMs ? "expired" : humanDuration(at - nowMs);
}

/** The age of a time past, such as "12s"; `none` when there is none. */
export function ageSince(timestamp: string | undefined, nowMs: number, none: string): string {
  const at = timeOf(timestamp);
  return at === undefined ? none : humanDuration(nowMs - at);
}

/** The mesh, or undefined when the node runs none (or has not said yet). */
export function meshOf(node: Node): NodeMesh | undefined {
  const mesh = node.status?.mesh;
  return mesh && mesh.provider !== "none" ? mesh : undefined;
}

export const meshAddress = (node: Node): string => meshOf(node)?.address || UNKNOWN;

/** "yes" (no new workloads), "mesh" (out of the other nodes' peer lists), both, or "no". */
export function cordonState(node: Node): string {
  const { cordoned, meshCordoned } = node.spec ?? {};
  if (cordoned && meshCordoned) return "yes, mesh";
  if (meshCordoned) return "mesh";
  return yesNo(cordoned);
}

/** The first characters of a public key and an ellipsis: "mQ3bXk9Z…". */
export const shortKey = (key: string | undefined): string => (!key ? UNKNOWN : key.length <= KEY_PREFIX ? key : `${key.slice(0, KEY_PREFIX)}…`);

/** "2/3": peers that completed a handshake lately, of all peers. */
export function peersUp(mesh: NodeMesh): string {
  if (mesh.peers === undefined) return UNKNOWN;
  return `${mesh.peersUp ?? 0}/${mesh.peers}`;
}

export const byName = (a: Node, b: Node): number => a.metadata.name.localeCompare(b.metadata.name);
