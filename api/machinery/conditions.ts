// status.conditions as Kubernetes keeps them: one per type, lastTransitionTime moving only when status flips.

import type { Condition, ConditionStatus } from "./meta.js";

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  /** PascalCase. */
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** The conditions with `next` set: replaced in place when its type is present, else appended. Pure. */
export function setCondition(conditions: readonly Condition[] | undefined, next: ConditionInput, now: string): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === next.type);
  const condition: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    message: next.message,
    ...(next.observedGeneration !== undefined ? { observedGeneration: next.observedGeneration } : {}),
    lastTransitionTime: existing && existing.status === next.status ? existing.lastTransitionTime : now,
  };
  return existing ? list.map((c) => (c === existing ? condition : c)) : [...list, condition];
}

/** Sets several conditions in order; see setCondition. */
export function setConditions(conditions: readonly Condition[] | undefined, next: readonly ConditionInput[], now: string): Condition[] {
  return next.reduce<Condition[]>((list, c) => setCondition(list, c, now), [...(conditions ?? [])]);
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export const isConditionTrue = (conditions: readonly Condition[] | undefined, type: string): boolean => findCondition(conditions, type)?.status === "True";
