// What a candidate does with the lease it read: a pure function of the lease, who it is and the time.
// Expiry is judged from the holder's renewTime, so a candidate takes over as soon as the lease runs out.

import type { LeaseSpec } from "../../api/types/lease.js";

export interface LeaseDecisionInput {
  identity: string;
  now: number;
  /** Our lease duration; a lease that states its own is judged by that. */
  leaseDurationMs: number;
}

export type LeaseDecision =
  /** No lease yet: create one held by us. */
  | { action: "create"; spec: LeaseSpec }
  /** Ours: renew it. */
  | { action: "renew"; spec: LeaseSpec }
  /** Free or expired: take it over. */
  | { action: "take"; spec: LeaseSpec; from?: string }
  /** Another candidate holds it until `expiresAt`. */
  | { action: "wait"; holder: string; expiresAt: number };

export const microTime = (ms: number): string => new Date(ms).toISOString();

/** `current` is the lease's spec, or undefined when no Lease object exists. */
export function decideLease(current: LeaseSpec | undefined, input: LeaseDecisionInput): LeaseDecision {
  const { identity, now } = input;
  const seconds = Math.max(1, Math.ceil(input.leaseDurationMs / 1000));
  const held = (acquireTime: string, leaseTransitions: number): LeaseSpec => ({
    holderIdentity: identity,
    leaseDurationSeconds: seconds,
    acquireTime,
    renewTime: microTime(now),
    leaseTransitions,
  });
  // No lease object: the first candidate creates it.
  if (!current) return { action: "create", spec: held(microTime(now), 0) };
  const transitions = current.leaseTransitions ?? 0;
  const holder = current.holderIdentity ?? "";
  // Ours: renew, keeping when we acquired it.
  if (holder === identity) return { action: "renew", spec: held(current.acquireTime ?? microTime(now), transitions) };
  // Released, or never held: take it.
  if (holder === "") return { action: "take", spec: held(microTime(now), transitions + 1) };
  // Held, but a lease without a readable renewTime cannot be proven alive: take it.
  const renewed = current.renewTime ? Date.parse(current.renewTime) : NaN;
  if (Number.isNaN(renewed)) return { action: "take", spec: held(microTime(now), transitions + 1), from: holder };
  const expiresAt = renewed + (current.leaseDurationSeconds ?? seconds) * 1000;
  // Held and still alive: wait for it to run out.
  if (now < expiresAt) return { action: "wait", holder, expiresAt };
  // Held, but the holder stopped renewing: take it over.
  return { action: "take", spec: held(microTime(now), transitions + 1), from: holder };
}
