// Whether a Secret's value is released to a workload, and which rule decided, in words a person reads.
// Pure: the release endpoint, `claw secrets can-read` and `claw run` all ask this one function.
//
// A value is released when the Secret's spec.allowedWorkloads or one of its SecretPolicies allows the
// workload (by name, `*`, or every one of spec.allowLabels) and none of its policies denies it; deny wins.
// Edge cases, decided here once:
// - Policies for another secret are ignored; a policy being deleted allows nothing but its deny still holds
//   until it is gone (removing a deny widens access, so it waits for the object to go).
// - A missing secret, or one being deleted, releases nothing, whatever its policies say.
// - Empty lists and an empty allowLabels allow nothing; names and label values compare exactly.
// - An invalid workload (empty name, not an RFC 1123 subdomain, bad labels) is refused with causes, not thrown.

import type { StatusCause } from "../machinery/errors.js";
import type { Secret } from "../types/secret.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import { checkSecretName, formatLabels, formatNames, hasLabels, isDeleting, labelsMatch, matchingEntry, policiesFor } from "./secret-access-rules.js";
import { workloadCauses, type Workload } from "./workload.js";

export interface AccessInput {
  /** The secret the workload asks for. */
  secretName: string;
  /** That secret as cached; undefined when it does not exist. */
  secret: Secret | undefined;
  /** Every SecretPolicy; those for other secrets are ignored. */
  policies: readonly SecretPolicy[];
  workload: Workload;
}

/** The object and field that decided, and the entry that matched (a name, `*`, or `k=v,…` for labels). */
export interface DecidingRule {
  kind: "Secret" | "SecretPolicy";
  name: string;
  field: "spec.allowedWorkloads" | "spec.allowWorkloads" | "spec.allowLabels" | "spec.denyWorkloads";
  match: string;
}

/** `reason` is for programs and audit entries; `message` is for people. */
export type AccessDecision =
  | { allowed: true; reason: "AllowedBySecret" | "AllowedByPolicy" | "AllowedByLabels"; message: string; rule: DecidingRule }
  | { allowed: false; reason: "Denied"; message: string; rule: DecidingRule }
  | { allowed: false; reason: "InvalidWorkload"; message: string; causes: StatusCause[] }
  | { allowed: false; reason: "SecretNotFound" | "SecretDeleting" | "NoRuleAllows"; message: string };

export type AccessReason = AccessDecision["reason"];

interface AccessContext {
  secretName: string;
  secret: Secret | undefined;
  /** The policies for this secret, by name, including those being deleted. */
  policies: readonly SecretPolicy[];
  workload: Workload;
  labels: Readonly<Record<string, string>>;
}

type Check = (ctx: AccessContext) => AccessDecision | undefined;

const q = (s: string) => JSON.stringify(s);
const ruleText = (rule: DecidingRule) => `${rule.kind} ${q(rule.name)} ${rule.field}${rule.field === "spec.allowLabels" ? ` ${rule.match}` : `: ${q(rule.match)}`}`;

/** The first policy whose list has an entry matching the workload, as a rule. */
function policyListRule(policies: readonly SecretPolicy[], field: "spec.allowWorkloads" | "spec.denyWorkloads", name: string): DecidingRule | undefined {
  for (const p of policies) {
    const match = matchingEntry(field === "spec.denyWorkloads" ? p.spec?.denyWorkloads : p.spec?.allowWorkloads, name);
    if (match !== undefined) return { kind: "SecretPolicy", name: p.metadata.name, field, match };
  }
  return undefined;
}

const livePolicies = (ctx: AccessContext) => ctx.policies.filter((p) => !isDeleting(p));

/** The checks in order; the first that answers decides. */
const checks: readonly Check[] = [
  // A malformed workload could never match a rule honestly; refuse it with the fields to fix.
  function invalidWorkload({ workload }) {
    const causes = workloadCauses(workload);
    if (causes.length === 0) return undefined;
    const list = causes.map((c) => `${c.field}: ${c.message}`).join("; ");
    return { allowed: false, reason: "InvalidWorkload", message: `workload is invalid: ${list}`, causes };
  },
  // No secret, no value; its policies alone release nothing.
  function secretNotFound({ secretName, secret }) {
    return secret ? undefined : { allowed: false, reason: "SecretNotFound", message: `secret ${q(secretName)} does not exist` };
  },
  // A secret being deleted is gone as far as workloads are concerned.
  function secretDeleting({ secretName, secret }) {
    return secret && isDeleting(secret) ? { allowed: false, reason: "SecretDeleting", message: `secret ${q(secretName)} is being deleted and releases nothing` } : undefined;
  },
  // Deny wins: any policy of this secret (even one being deleted) that names the workload or `*`.
  function deniedByPolicy({ policies, workload }) {
    const rule = policyListRule(policies, "spec.denyWorkloads", workload.name);
    return rule && { allowed: false, reason: "Denied", message: `denied by ${ruleText(rule)}`, rule };
  },
  // The secret's own list names the workload or `*`.
  function allowedBySecret({ secretName, secret, workload }) {
    const match = matchingEntry(secret?.spec?.allowedWorkloads, workload.name);
    if (match === undefined) return undefined;
    const rule: DecidingRule = { kind: "Secret", name: secretName, field: "spec.allowedWorkloads", match };
    return { allowed: true, reason: "AllowedBySecret", message: `allowed by ${ruleText(rule)}`, rule };
  },
  // A live policy's allowWorkloads names the workload or `*`.
  function allowedByPolicyName(ctx) {
    const rule = policyListRule(livePolicies(ctx), "spec.allowWorkloads", ctx.workload.name);
    return rule && { allowed: true, reason: "AllowedByPolicy", message: `allowed by ${ruleText(rule)}`, rule };
  },
  // A live policy's allowLabels, every one of them present on the workload with exactly that value.
  function allowedByPolicyLabels(ctx) {
    const policy = livePolicies(ctx).find((p) => labelsMatch(p.spec?.allowLabels, ctx.labels));
    if (!policy) return undefined;
    const rule: DecidingRule = { kind: "SecretPolicy", name: policy.metadata.name, field: "spec.allowLabels", match: formatLabels(policy.spec?.allowLabels ?? {}) };
    return { allowed: true, reason: "AllowedByLabels", message: `allowed by ${ruleText(rule)}`, rule };
  },
];

/** Nothing fired: say what each object would allow, so the person sees what to change. */
function noRuleAllows({ secretName, secret, policies, workload }: AccessContext): AccessDecision {
  const parts = [`Secret ${q(secretName)} allows ${formatNames(secret?.spec?.allowedWorkloads ?? [])}`];
  if (policies.length === 0) parts.push("no SecretPolicy names it");
  for (const p of policies) parts.push(policyAllows(p));
  return { allowed: false, reason: "NoRuleAllows", message: `no rule allows workload ${q(workload.name)}: ${parts.join("; ")}` };
}

function policyAllows(policy: SecretPolicy): string {
  const name = `SecretPolicy ${q(policy.metadata.name)}`;
  if (isDeleting(policy)) return `${name} is being deleted and allows nothing`;
  const names = policy.spec?.allowWorkloads ?? [];
  const labels = policy.spec?.allowLabels;
  if (!hasLabels(labels)) return `${name} allows ${formatNames(names)}`;
  return names.length > 0 ? `${name} allows ${formatNames(names)} and labels ${formatLabels(labels)}` : `${name} allows labels ${formatLabels(labels)}`;
}

/** Decides whether the secret's value is released to the workload. Throws only when `secret` is not the one named. */
export function decideAccess(input: AccessInput): AccessDecision {
  checkSecretName(input.secretName, input.secret);
  const ctx: AccessContext = {
    secretName: input.secretName,
    secret: input.secret,
    policies: policiesFor(input.secretName, input.policies),
    workload: input.workload,
    labels: input.workload.labels ?? {},
  };
  for (const check of checks) {
    const decision = check(ctx);
    if (decision) return decision;
  }
  return noRuleAllows(ctx);
}
