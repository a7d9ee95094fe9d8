// A workload as the secrets access rules see it: a name and labels, checked before any rule reads them.
// An invalid workload is not thrown: the decision refuses it with causes, so the refusal is audited like any other.

import type { StatusCause } from "../machinery/errors.js";
import { qualifiedNameProblems, subdomainProblems } from "../machinery/metadata-rules.js";

export interface Workload {
  /** A lowercase RFC 1123 subdomain such as api-server; never `*`, which only rules use. */
  name: string;
  /** Such as env=production; absent means none. */
  labels?: Record<string, string>;
}

/** The list entry that names every workload, in allowedWorkloads, allowWorkloads and denyWorkloads. */
export const EVERY_WORKLOAD = "*";

/** As the SecretPolicy CRD bounds spec.allowLabels values. */
const MAX_LABEL_VALUE_LENGTH = 63;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with a workload, with field paths under `workload.`; empty when it is valid. */
export function workloadCauses(workload: Workload): StatusCause[] {
  const causes: StatusCause[] = [];
  const name: unknown = workload.name;
  if (typeof name !== "string" || name === "") {
    causes.push({ field: "workload.name", reason: "FieldValueRequired", message: "Required value: a workload has a name, such as api-server" });
  } else {
    for (const problem of subdomainProblems(name)) causes.push({ field: "workload.name", reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(name)}: ${problem}` });
  }
  const labels: unknown = workload.labels;
  if (labels === undefined) return causes;
  if (!isRecord(labels)) return [...causes, { field: "workload.labels", reason: "FieldValueTypeMismatch", message: "labels must be an object of key=value strings" }];
  for (const [key, value] of Object.entries(labels)) {
    const field = `workload.labels[${JSON.stringify(key)}]`;
    for (const problem of qualifiedNameProblems(key)) causes.push({ field, reason: "FieldValueInvalid", message: `Invalid label key: ${problem}` });
    if (typeof value !== "string") causes.push({ field, reason: "FieldValueTypeMismatch", message: "a label value is a string" });
    else if (value.length > MAX_LABEL_VALUE_LENGTH) causes.push({ field, reason: "FieldValueInvalid", message: `a label value must be no more than ${MAX_LABEL_VALUE_LENGTH} characters` });
  }
  return causes;
}
