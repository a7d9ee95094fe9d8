// `kubectl auth can-i --list` (SelfSubjectRulesReview): the caller's effective permissions written as
// Kubernetes rules. A grammar resource that is a kind of claw's group is listed in that group, the others
// with no group; each action becomes the verbs that need it (admin: `*`, with the status subresource). It is
// marked incomplete: route policies (your own password, your own API keys) and MFA gates are not rules.

import { GROUP } from "../machinery/meta.js";
import type { UserInfo } from "../server/admission.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import { ACTIONS, PermissionSet, type Action } from "../rbac/permissions.js";
import type { KubeAccessJudge } from "./kube-access-judge.js";
import type { PermissionResolver } from "./permission-resolver.js";

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

export interface RulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

/** The Kubernetes verbs each claw action allows on a resource; `execute` and `write` have no Kubernetes verb of their own. */
const ACTION_VERBS: Record<Action, string[]> = {
  read: ["get"],
  list: ["list", "watch"],
  create: ["create"],
  update: ["update", "patch"],
  delete: ["delete"],
  execute: ["execute"],
  write: ["write"],
  admin: ["*"],
};

/** Anyone authenticated may ask about themselves. */
const REVIEW_RULES: ResourceRule[] = [
  { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
  { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
];

export async function rulesReview(opts: { user: UserInfo; resolver: PermissionResolver; registry: ResourceRegistry; judge: KubeAccessJudge }): Promise<RulesReviewStatus> {
  const { user, resolver, registry, judge } = opts;
  const nonResourceRules = [{ verbs: ["get"], nonResourceURLs: await judge.allowedPaths(user) }];
  if (user.system) {
    const rules = user.system.rules.map((r) => ({ verbs: [...r.verbs], apiGroups: ["*"], resources: [...r.resources] }));
    return { resourceRules: [...rules, ...REVIEW_RULES], nonResourceRules, incomplete: false };
  }
  const permissions = resolver.rbacEnabled ? (await resolver.of(user)).permissions : PermissionSet.all;
  const byResource = new Map<string, Action[]>();
  for (const pair of permissions.pairs()) {
    const [resource, action] = pair.split(":") as [string, Action];
    byResource.set(resource, [...(byResource.get(resource) ?? []), action]);
  }
  const resourceRules: ResourceRule[] = [];
  for (const [resource, actions] of byResource) {
    const admin = actions.includes("admin");
    const verbs = admin ? ["*"] : ACTIONS.filter((a) => actions.includes(a)).flatMap((a) => ACTION_VERBS[a]);
    const served = registry.all().some((i) => i.group === GROUP && i.plural === resource);
    resourceRules.push({ verbs, apiGroups: [served ? GROUP : ""], resources: admin && served ? [resource, `${resource}/status`] : [resource] });
  }
  return {
    resourceRules: [...resourceRules, ...REVIEW_RULES],
    nonResourceRules,
    incomplete: true,
    evaluationError: "route policies (a user's own password, an API key's owner) and MFA requirements are not rules; ask `kubectl auth can-i VERB RESOURCE` for one request",
  };
}
