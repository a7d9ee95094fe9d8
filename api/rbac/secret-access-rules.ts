// How a Secret's and its SecretPolicies' rules read, shared by the access decision and the effective rule,
// so that what status shows and what the release endpoint decides cannot drift apart.

import type { KubeObject } from "../machinery/meta.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import { EVERY_WORKLOAD } from "./workload.js";

/** Deletion is "deletionTimestamp set", as for every object. */
export const isDeleting = (object: KubeObject): boolean => Boolean(object.metadata.deletionTimestamp);

/** The policies for the named secret, by policy name so every answer is the same whatever order the cache lists them in. */
export function policiesFor(secretName: string, policies: readonly SecretPolicy[]): SecretPolicy[] {
  return policies.filter((p) => p.spec?.secret === secretName).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** The entry of a name list that matches the workload: its own name before `*`, the more telling of the two. */
export function matchingEntry(list: readonly string[] | undefined, name: string): string | undefined {
  if (!list) return undefined;
  if (list.includes(name)) return name;
  return list.includes(EVERY_WORKLOAD) ? EVERY_WORKLOAD : undefined;
}

/** Whether the workload has every required label with exactly that value; an empty requirement matches nothing. */
export function labelsMatch(required: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(required ?? {});
  return entries.length > 0 && entries.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}

/** `env=production,team=backend`, keys sorted, as the CLI's --allow-labels takes them. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(",");
}

export const hasLabels = (labels: Readonly<Record<string, string>> | undefined): labels is Record<string, string> =>
  labels !== undefined && Object.keys(labels).length > 0;

/** A list of workload names for a sentence: `api-server, worker`, or `no workload`. */
export const formatNames = (names: readonly string[]): string => (names.length > 0 ? names.join(", ") : "no workload");

/** Throws when a caller passes a secret other than the one named: a programming error, not a refusal. */
export function checkSecretName(secretName: string, secret: KubeObject | undefined): void {
  if (secret && secret.metadata.name !== secretName) {
    throw new Error(`the secret passed is ${JSON.stringify(secret.metadata.name)}, not ${JSON.stringify(secretName)}`);
  }
}
