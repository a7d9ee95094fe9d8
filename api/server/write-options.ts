// The options of a write, as kube-apiserver reads and validates them: CreateOptions, UpdateOptions and
// PatchOptions from the query; DeleteOptions from the query and the body. Values of the wrong type are
// 400; values kube does not support are 422 Invalid naming the option.

import { badRequest, type StatusCause } from "../machinery/errors.js";
import type { FieldValidation } from "../schema/validator.js";
import { forbiddenOption, invalidOptions, notSupported, queryBool, queryEnum, queryInt64, type OptionsKind } from "./query-params.js";

const FIELD_VALIDATIONS: readonly FieldValidation[] = ["Ignore", "Warn", "Strict"];
export const PROPAGATION_POLICIES = ["Orphan", "Background", "Foreground"] as const;
export type PropagationPolicy = (typeof PROPAGATION_POLICIES)[number];

/** `dryRun` and `fieldValidation` of a create, update or patch; fieldValidation defaults to Warn, as in kube. */
export function parseWriteQuery(params: URLSearchParams, kind: Exclude<OptionsKind, "ListOptions" | "DeleteOptions">): { dryRun: boolean; fieldValidation: FieldValidation } {
  return { dryRun: dryRunOf(params.getAll("dryRun"), kind), fieldValidation: queryEnum(params, "fieldValidation", FIELD_VALIDATIONS, kind) ?? "Warn" };
}

export interface DeleteOptions {
  dryRun: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Accepted and checked as kube does; claw has no dependents to propagate to. */
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

/** A delete's options: the body (a DeleteOptions object, or empty) and the query; a dry run when either asks. */
export function parseDeleteOptions(params: URLSearchParams, decoded: unknown): DeleteOptions {
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) throw badRequest("the body of a DELETE must be a DeleteOptions object, or empty");
  const body = decoded as Record<string, unknown>;
  const preconditions = preconditionsOf(body.preconditions);
  if (body.dryRun !== undefined && (!Array.isArray(body.dryRun) || body.dryRun.some((d) => typeof d !== "string")))
    throw badRequest('DeleteOptions.dryRun must be a list such as ["All"]');
  const policy = body.propagationPolicy ?? params.get("propagationPolicy") ?? undefined;
  if (policy !== undefined && policy !== null && typeof policy !== "string") throw badRequest("DeleteOptions.propagationPolicy must be a string");
  const orphan = body.orphanDependents ?? (params.has("orphanDependents") ? queryBool(params.get("orphanDependents")) : undefined);
  if (orphan !== undefined && orphan !== null && typeof orphan !== "boolean") throw badRequest("DeleteOptions.orphanDependents must be a boolean");
  const grace = body.gracePeriodSeconds ?? queryInt64(params, "gracePeriodSeconds");
  if (grace !== undefined && grace !== null && typeof grace !== "bigint" && !Number.isInteger(grace)) throw badRequest("DeleteOptions.gracePeriodSeconds must be an integer");
  const causes: StatusCause[] = [];
  if (policy && orphan !== undefined && orphan !== null) causes.push(forbiddenOption("propagationPolicy", "orphanDependents and deletionPropagation cannot be both set"));
  if (policy && !(PROPAGATION_POLICIES as readonly string[]).includes(policy)) causes.push(notSupported("propagationPolicy", policy, [...PROPAGATION_POLICIES, "nil"]));
  if (causes.length > 0) throw invalidOptions("DeleteOptions", causes);
  const dryRun = dryRunOf([...params.getAll("dryRun"), ...((body.dryRun as string[] | undefined) ?? [])], "DeleteOptions");
  return {
    dryRun,
    ...(preconditions ? { preconditions } : {}),
    ...(policy ? { propagationPolicy: policy as PropagationPolicy } : {}),
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
  };
}

/** kube's ValidateDryRun: every value must be "All". */
function dryRunOf(values: string[], kind: OptionsKind): boolean {
  if (values.some((v) => v !== "All")) throw invalidOptions(kind, [notSupported("dryRun", values, ["All"])]);
  return values.length > 0;
}

function preconditionsOf(pre: unknown): DeleteOptions["preconditions"] {
  if (pre === undefined || pre === null) return undefined;
  if (typeof pre !== "object" || Array.isArray(pre)) throw badRequest("DeleteOptions.preconditions must be an object with uid and/or resourceVersion");
  const { uid, resourceVersion } = pre as { uid?: unknown; resourceVersion?: unknown };
  if ((uid !== undefined && typeof uid !== "string") || (resourceVersion !== undefined && typeof resourceVersion !== "string"))
    throw badRequest("DeleteOptions.preconditions.uid and .resourceVersion must be strings");
  return { ...(uid !== undefined ? { uid } : {}), ...(resourceVersion !== undefined ? { resourceVersion } : {}) };
}
