// The generic registry: Kubernetes object semantics (uid, generation, finalizers, status split,
// optimistic concurrency, validation, admission, managed fields) over the Store.

import { randomUUID } from "node:crypto";
import type { Clock } from "../machinery/clock.js";
import { memoRfc3339, toRfc3339 } from "../machinery/clock.js";
import { alreadyExists, badRequest, conflict, invalid, notFound, type ResourceRef } from "../machinery/errors.js";
import type { KubeList, KubeObject, ManagedFieldsEntry } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { FieldValidation, Validator } from "../schema/validator.js";
import { decodeObject, encodeObject, parseResourceVersion, resourceKey } from "../store/keys.js";
import { isStoreError, KeyNotFoundError, RevisionConflictError, type KeyValue, type Store, type TxnOp, type TxnOpResult, type TxnResult } from "../store/store.js";
import type { ResourceChange, StoreWrite } from "./resource-change.js";
import { runAdmission, type AdmissionPlugin, type Operation, type UserInfo } from "./admission.js";
import { listResources, type ListQuery } from "./resource-list.js";
import { updateManagedFields } from "./patch/managed-fields.js";
import { identityMismatch, isNoop, prepareForCreate, prepareForUpdate, readyToRemove, settleGeneration, type Subresource } from "./object-rules.js";
import { WriteTurns } from "./write-turns.js";
import { cloneJson } from "./patch/json-value.js";

export interface ResourceServiceOptions {
  store: Store;
  validator: Validator;
  clock: Clock;
  admission?: readonly AdmissionPlugin[];
  newUid?: () => string;
  /** Commits a write with its audit entries in one transaction (AuditSink.commit); a plain store txn by default. */
  commit?: (write: StoreWrite) => Promise<TxnResult>;
}

export interface WriteOptions {
  fieldManager: string;
  fieldValidation: FieldValidation;
  dryRun: boolean;
  user?: UserInfo;
  /** The client's address, for the audit entry. */
  sourceIp?: string;
  /** Facts for the admission plugins (AdmissionRequest.hints), from the server's own endpoints. */
  hints?: Readonly<Record<string, string>>;
  /** Store writes a server endpoint adds to the object's own transaction (a certificate's sealed key): they commit exactly when the object does. */
  effects?: readonly TxnOp[];
}

export type { ListQuery };

type DeleteOptions = { dryRun: boolean; user?: UserInfo; sourceIp?: string; preconditions?: { uid?: string; resourceVersion?: string } };

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** False when the write changed nothing and the store was not touched. */
  changed: boolean;
  /** The object before the write, for updates. */
  previous?: KubeObject;
}

export const refOf = (info: ResourceInfo, name?: string): ResourceRef => ({
  group: info.group,
  kind: info.kind,
  resource: info.plural,
  ...(name !== undefined ? { name } : {}),
});

export class ResourceService {
  private readonly newUid: () => string;
  private readonly commit: (write: StoreWrite) => Promise<TxnResult>;
  /** The creationTimestamp of creates in the same second is formatted once. */
  private readonly createdAt = memoRfc3339();
  /** Updates and deletes of one object take turns in this server, so concurrent ones do not conflict-retry. */
  private readonly turns = new WriteTurns();

  constructor(private readonly opts: ResourceServiceOptions) {
    this.newUid = opts.newUid ?? randomUUID;
    this.commit = opts.commit ?? ((write) => opts.store.txn(write.compares, write.ops));
  }

  get store(): Store {
    return this.opts.store;
  }

  async get(info: ResourceInfo, name: string): Promise<KubeObject> {
    const kv = await this.opts.store.get(resourceKey(info.group, info.plural, name));
    if (!kv) throw notFound(refOf(info, name));
    return decodeObject(kv);
  }

  list(info: ResourceInfo, query: ListQuery = {}): Promise<KubeList> {
    return listResources(this.opts.store, info, query);
  }

  async create(info: ResourceInfo, body: KubeObject, options: WriteOptions & { managedFieldsFromBody?: boolean }): Promise<WriteResult> {
    this.checkIdentity(info, body);
    if (!body.metadata?.name) throw invalid(refOf(info), [{ field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name is required" }]);
    const now = this.createdAt(this.opts.clock.now());
    let next = prepareForCreate({ incoming: body, uid: this.newUid(), now });
    const fields: ManagedFieldsStep | undefined = options.managedFieldsFromBody
      ? undefined
      : (updated) => updateManagedFields({ updated, manager: options.fieldManager, operation: "Update", now, schema: info.schema, statusSubresource: info.hasStatusSubresource });
    const { object, warnings, effects } = await this.admit(info, "CREATE", undefined, next, undefined, options, fields);
    next = object;
    if (options.dryRun) return { object: next, warnings, changed: true };
    const key = resourceKey(info.group, info.plural, next.metadata.name);
    const result = await this.commit({
      compares: [{ key, absent: true }],
      ops: [{ kind: "put", key, value: encodeObject(next) }, ...effects],
      change: { operation: "create", info, object: next, requester: requesterOf(options) },
    });
    if (!result.succeeded) throw alreadyExists(refOf(info, next.metadata.name));
    return { object: stored(next, putResult(result.results[0])), warnings, changed: true };
  }

  /** PUT: the client's whole object, guarded by its resourceVersion. */
  async update(info: ResourceInfo, name: string, body: KubeObject, options: WriteOptions & { subresource: Subresource }): Promise<WriteResult> {
    this.checkIdentity(info, body, name);
    const expected = this.parseRv(info, name, body.metadata?.resourceVersion);
    if (expected === undefined)
      throw invalid(refOf(info, name), [{ field: "metadata.resourceVersion", reason: "FieldValueInvalid", message: "Invalid value: must be specified for an update" }]);
    return this.guaranteedUpdate(info, name, options, (live) => {
      if (live.metadata.resourceVersion !== String(expected)) throw staleConflict(info, name);
      return body;
    });
  }

  /**
   * Reads, transforms and writes with compare-and-swap, retrying when another writer got there first.
   * `transform` returns the client's view of the new object; the rules of object-rules.ts then apply.
   */
  async guaranteedUpdate(
    info: ResourceInfo,
    name: string,
    options: WriteOptions & { subresource: Subresource; managedFieldsFromTransform?: boolean },
    transform: (live: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<WriteResult> {
    const attempt = () => this.updateWithRetries(info, name, options, transform);
    return options.dryRun ? attempt() : this.turns.run(resourceKey(info.group, info.plural, name), attempt);
  }

  private async updateWithRetries(
    info: ResourceInfo,
    name: string,
    options: WriteOptions & { subresource: Subresource; managedFieldsFromTransform?: boolean },
    transform: (live: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.get(info, name);
      const incoming = await transform(cloneJson(live));
      this.checkIdentity(info, incoming, name);
      const now = toRfc3339(this.opts.clock.now());
      let next = prepareForUpdate(live, incoming, options.subresource);
      let fields: ManagedFieldsStep | undefined;
      if (options.managedFieldsFromTransform) {
        next.metadata.managedFields = incoming.metadata.managedFields;
        if (!next.metadata.managedFields?.length) delete next.metadata.managedFields;
      } else {
        fields = (updated) =>
          updateManagedFields({
            live,
            updated,
            manager: options.fieldManager,
            operation: "Update",
            now,
            schema: info.schema,
            statusSubresource: info.hasStatusSubresource,
            ...(options.subresource ? { subresource: options.subresource } : {}),
          });
      }
      const admitted = await this.admit(info, "UPDATE", options.subresource, next, live, options, fields);
      // A field pruned as unknown is no change: re-apply of the same manifest stays a no-op.
      next = options.subresource ? admitted.object : settleGeneration(live, admitted.object);
      // A write whose plugins add store writes (a rekey re-sealing kept versions) is not a no-op, even when the object reads the same.
      if (isNoop(live, next) && admitted.effects.length === 0) return { object: live, warnings: admitted.warnings, changed: false };
      if (options.dryRun) return { object: next, warnings: admitted.warnings, changed: true };
      try {
        const object = await this.write(info, next, live, { requester: requesterOf(options), ...(options.subresource ? { subresource: options.subresource } : {}) }, admitted.effects);
        return { object, warnings: admitted.warnings, changed: true, previous: live };
      } catch (err) {
        if (isStoreError(err, "RevisionConflict") && attempt < 16) continue;
        if (isStoreError(err, "RevisionConflict")) throw staleConflict(info, name);
        if (isStoreError(err, "KeyNotFound")) throw notFound(refOf(info, name));
        throw err;
      }
    }
  }

  /** Deletes now, or marks for deletion while finalizers remain. */
  async delete(
    info: ResourceInfo,
    name: string,
    options: DeleteOptions,
  ): Promise<KubeObject> {
    const attempt = () => this.deleteWithRetries(info, name, options);
    return options.dryRun ? attempt() : this.turns.run(resourceKey(info.group, info.plural, name), attempt);
  }

  private async deleteWithRetries(info: ResourceInfo, name: string, options: DeleteOptions): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.get(info, name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== live.metadata.uid)
        throw conflict(refOf(info, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata.uid ?? ""}`);
      if (pre?.resourceVersion && pre.resourceVersion !== live.metadata.resourceVersion)
        throw conflict(refOf(info, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion ?? ""}`);
      const effects: TxnOp[] = [];
      await runAdmission(this.opts.admission ?? [], { info, operation: "DELETE", subresource: undefined, oldObject: live, dryRun: options.dryRun, effects, ...(options.user ? { user: options.user } : {}) });
      const rev = Number(live.metadata.resourceVersion);
      const pending = (live.metadata.finalizers ?? []).length > 0;
      if (pending && live.metadata.deletionTimestamp) return live;
      let result: KubeObject;
      if (pending) {
        const marked: KubeObject = {
          ...live,
          metadata: { ...live.metadata, deletionTimestamp: toRfc3339(this.opts.clock.now()), deletionGracePeriodSeconds: 0, generation: (live.metadata.generation ?? 1) + 1 },
        };
        if (options.dryRun) return marked;
        try {
          result = await this.write(info, marked, live, { requester: requesterOf(options) }, []);
        } catch (err) {
          if (isStoreError(err, "RevisionConflict") && attempt < 16) continue;
          throw err;
        }
        return result;
      }
      if (options.dryRun) return live;
      try {
        await this.commitOrThrow(info, name, {
          compares: [{ key: resourceKey(info.group, info.plural, name), modRevision: rev }],
          ops: [{ kind: "delete", key: resourceKey(info.group, info.plural, name) }, ...effects],
          change: { operation: "delete", info, object: live, previous: live, requester: requesterOf(options) },
        });
        return live;
      } catch (err) {
        if (isStoreError(err, "RevisionConflict") && attempt < 16) continue;
        if (isStoreError(err, "KeyNotFound")) throw notFound(refOf(info, name));
        throw err;
      }
    }
  }

  /** Writes `next` over `live`, or removes it when its last finalizer is gone; the audit entries commit with it. */
  private async write(info: ResourceInfo, next: KubeObject, live: KubeObject, extra: Pick<ResourceChange, "requester" | "subresource">, effects: readonly TxnOp[]): Promise<KubeObject> {
    const key = resourceKey(info.group, info.plural, next.metadata.name);
    const compares = [{ key, modRevision: Number(live.metadata.resourceVersion) }];
    if (readyToRemove(next)) {
      const result = await this.commitOrThrow(info, next.metadata.name, { compares, ops: [{ kind: "delete", key }, ...effects], change: { operation: "delete", info, object: next, previous: live, ...extra } });
      return { ...next, metadata: { ...next.metadata, resourceVersion: String(result.revision) } };
    }
    const result = await this.commitOrThrow(info, next.metadata.name, {
      compares,
      ops: [{ kind: "put", key, value: encodeObject(next) }, ...effects],
      change: { operation: "update", info, object: next, previous: live, ...extra },
    });
    return stored(next, putResult(result.results[0]));
  }

  /** Commits a guarded write; RevisionConflictError or KeyNotFoundError when its compare failed, as Store.update does. */
  private async commitOrThrow(info: ResourceInfo, name: string, write: StoreWrite): Promise<Extract<TxnResult, { succeeded: true }>> {
    const result = await this.commit(write);
    if (result.succeeded) return result;
    const key = write.compares[0]!.key;
    const actual = result.currentModRevisions[0] ?? 0;
    if (actual === 0) throw new KeyNotFoundError(key);
    const expected = "modRevision" in write.compares[0]! ? write.compares[0].modRevision : 0;
    throw new RevisionConflictError(key, expected, actual);
  }

  private async admit(
    info: ResourceInfo,
    operation: Operation,
    subresource: Subresource,
    object: KubeObject,
    oldObject: KubeObject | undefined,
    options: WriteOptions,
    fields?: ManagedFieldsStep,
  ): Promise<{ object: KubeObject; warnings: string[]; effects: TxnOp[] }> {
    // When the server records the managed fields, a client's own are not validated but read (or, malformed, dropped) as kube does.
    const { managedFields: given, ...metadata } = object.metadata;
    const result = this.opts.validator.validate(info, fields ? { ...object, metadata } : object, { fieldValidation: options.fieldValidation });
    if (result.causes.length > 0) throw invalid(refOf(info, object.metadata.name), result.causes);
    // Recorded after pruning, so fields the schema drops, however deep, never reach field management.
    if (fields) {
      const pruned = result.pruned;
      const managed = fields({ ...pruned, metadata: { ...pruned.metadata, ...(given !== undefined ? { managedFields: given } : {}) } });
      if (managed.length > 0 || operation === "CREATE") pruned.metadata.managedFields = managed;
      else delete pruned.metadata.managedFields;
    }
    const effects: TxnOp[] = [...(options.effects ?? [])];
    const admitted = await runAdmission(this.opts.admission ?? [], {
      info,
      operation,
      subresource,
      object: result.pruned,
      ...(oldObject ? { oldObject } : {}),
      ...(options.user ? { user: options.user } : {}),
      ...(options.hints ? { hints: options.hints } : {}),
      dryRun: options.dryRun,
      effects,
    });
    return { object: admitted ?? result.pruned, warnings: result.warnings, effects };
  }

  private checkIdentity(info: ResourceInfo, obj: KubeObject, name?: string): void {
    if (typeof obj !== "object" || obj === null || typeof obj.metadata !== "object" || obj.metadata === null)
      throw badRequest(`the request body must be a ${info.kind} object with metadata`);
    const why = identityMismatch(obj, { apiVersion: `${info.group}/${info.version}`, kind: info.kind, ...(name !== undefined ? { name } : {}) });
    if (why) throw badRequest(why);
  }

  private parseRv(info: ResourceInfo, name: string, rv: string | undefined): number | undefined {
    try {
      return parseResourceVersion(rv);
    } catch (err) {
      throw invalid(refOf(info, name), [{ field: "metadata.resourceVersion", reason: "FieldValueInvalid", message: (err as Error).message }]);
    }
  }
}

const requesterOf = (options: { user?: UserInfo; sourceIp?: string; fieldManager?: string }): ResourceChange["requester"] => ({
  ...(options.user ? { user: options.user } : {}),
  ...(options.sourceIp ? { sourceIp: options.sourceIp } : {}),
  ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}),
});

/**
 * The object as the store now holds it: `object` was written as encodeObject(object), so only its
 * resourceVersion is new. (Parsing the stored value back would cost a JSON.parse per write for the same object.)
 */
const stored = (object: KubeObject, kv: KeyValue): KubeObject => ({ ...object, metadata: { ...object.metadata, resourceVersion: String(kv.modRevision) } });

function putResult(result: TxnOpResult | undefined): KeyValue {
  if (result?.kind !== "put") throw new Error("the store answered a put with another result");
  return result.kv;
}

/** Computes the managedFields of the object about to be stored (patch/managed-fields.ts). */
type ManagedFieldsStep = (updated: KubeObject) => ManagedFieldsEntry[];

export const staleConflict = (info: ResourceInfo, name: string) =>
  conflict(refOf(info, name), "the object has been modified; please apply your changes to the latest version and try again");
