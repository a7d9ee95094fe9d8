// PATCH: turns a request's patch type and body into a write through the ResourceService.

import { toRfc3339, type Clock } from "../machinery/clock.js";
import { badRequest, conflict, isNotFound, notFound, unsupportedMediaType } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { Subresource } from "./object-rules.js";
import { applyJsonPatch } from "./patch/json-patch.js";
import { applyMergePatch, assertMergePatchObject } from "./patch/merge-patch.js";
import { serverSideApply } from "./patch/server-side-apply.js";
import { MAX_BODY_DEPTH, patchedTooDeep, valueExceeds } from "./body-depth.js";
import { parseJsonBody, parseYamlBody } from "./request-body.js";
import { refOf, type ResourceService, type WriteOptions, type WriteResult } from "./resource-service.js";

export type PatchType = "json" | "merge" | "apply";

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+json": "apply",
};

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const type = PATCH_CONTENT_TYPES[mediaType];
  if (type) return type;
  if (mediaType === "application/strategic-merge-patch+json")
    throw unsupportedMediaType(`${mediaType} (strategic merge patch is not supported for custom resources; use merge or JSON patch)`, Object.keys(PATCH_CONTENT_TYPES));
  throw unsupportedMediaType(mediaType || "none", Object.keys(PATCH_CONTENT_TYPES));
}

export interface PatchInput {
  info: ResourceInfo;
  name: string;
  type: PatchType;
  /** The raw body text. */
  body: string;
  subresource: Subresource;
  force: boolean;
  options: WriteOptions;
  /** Called before a patch creates the object (server-side apply of a missing object): throws 403 unless the caller may create. */
  beforeCreate?: () => Promise<void>;
}

export async function patchResource(service: ResourceService, clock: Clock, input: PatchInput): Promise<WriteResult & { created: boolean }> {
  const { info, name, type, subresource, options } = input;
  const patch = parsePatchBody(input.type, input.body);
  if (type === "merge") assertMergePatchObject(patch);
  if (type === "apply") return applyResource(service, clock, { ...input, applied: patch as KubeObject });
  const result = await service.guaranteedUpdate(info, name, { ...options, subresource }, (live) => {
    const next = (type === "merge" ? applyMergePatch(live, patch) : applyJsonPatch(live, patch)) as KubeObject;
    // A JSON patch's path reaches as deep as it likes without nesting in the body; the result keeps the body's limit.
    if (valueExceeds(next, { depth: MAX_BODY_DEPTH, size: Infinity })) throw patchedTooDeep();
    const wantedRv = (patch as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
    if (type === "merge" && typeof wantedRv === "string" && wantedRv !== live.metadata.resourceVersion)
      throw conflict(refOf(info, name), "the object has been modified; please apply your changes to the latest version and try again");
    return next;
  });
  return { ...result, created: false };
}

async function applyResource(
  service: ResourceService,
  clock: Clock,
  input: PatchInput & { applied: KubeObject },
): Promise<WriteResult & { created: boolean }> {
  const { info, name, applied, subresource, options, force } = input;
  if (!options.fieldManager || options.fieldManager === "unknown")
    throw badRequest("fieldManager is required for apply requests; add ?fieldManager=<your-tool>");
  if (typeof applied !== "object" || applied === null || Array.isArray(applied))
    throw badRequest("an apply patch must be a single object with apiVersion, kind and metadata.name");
  for (let attempt = 0; ; attempt++) {
    let live: KubeObject | undefined;
    try {
      live = await service.get(info, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const now = toRfc3339(clock.now());
    const ssa = { applied, manager: options.fieldManager, force, now, schema: info.schema, statusSubresource: info.hasStatusSubresource, ...(subresource ? { subresource } : {}) };
    if (!live) {
      if (subresource) throw notFound(refOf(info, name));
      const merged = serverSideApply({ ...ssa, applied: { ...applied, metadata: { ...applied.metadata, name } } });
      await input.beforeCreate?.();
      try {
        return { ...(await service.create(info, merged, { ...options, managedFieldsFromBody: true })), created: true };
      } catch (err) {
        if ((err as { reason?: string }).reason === "AlreadyExists" && attempt < 4) continue;
        throw err;
      }
    }
    const result = await service.guaranteedUpdate(info, name, { ...options, subresource, managedFieldsFromTransform: true }, (current) =>
      serverSideApply({ ...ssa, live: current }),
    );
    return { ...result, created: false };
  }
}

function parsePatchBody(type: PatchType, body: string): unknown {
  // Apply bodies are YAML (JSON included); merge and JSON patches are JSON. Both refuse runaway nesting.
  if (type === "apply") return parseYamlBody(body, "the apply patch (YAML or JSON) could not be parsed");
  return parseJsonBody(body, "the patch body (JSON) could not be parsed");
}
