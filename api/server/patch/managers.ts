// The managers of an object's fields, decoded from metadata.managedFields and encoded back the way
// kube-apiserver writes them: one entry per (manager, operation, subresource), sorted, at most ten Update entries.

import { API_VERSION, type ManagedFieldsEntry } from "../../machinery/meta.js";
import { FieldSet } from "./field-set.js";
import { isJsonObject } from "./json-value.js";
import { fieldKey } from "./path-element.js";

export interface ManagerEntry {
  manager: string;
  operation: "Apply" | "Update";
  subresource?: string;
  apiVersion: string;
  time?: string;
  set: FieldSet;
}

/** Keyed by managerId. */
export type Managers = Map<string, ManagerEntry>;

/** Kubernetes caps Update entries and folds the oldest into this one. */
export const ANCIENT_CHANGES = "ancient-changes";
export const MAX_UPDATE_MANAGERS = 10;

export const managerId = (m: Pick<ManagerEntry, "manager" | "operation" | "subresource">): string =>
  JSON.stringify([m.manager, m.operation, m.subresource ?? ""]);

/** How a conflict message names a manager, as kube does: `"kubectl" using security.clawbernetes.com/v1`. */
export function printManager(m: Pick<ManagerEntry, "manager" | "operation" | "subresource" | "apiVersion">): string {
  let out = JSON.stringify(m.manager);
  if (m.subresource) out += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") out += ` using ${m.apiVersion}`;
  return out;
}

/** Reads managedFields; throws an Error saying what is wrong when they are not well formed. */
export function decodeManagers(entries: unknown): Managers {
  const managers: Managers = new Map();
  if (entries === undefined || entries === null) return managers;
  if (!Array.isArray(entries)) throw new Error("metadata.managedFields must be a list");
  entries.forEach((raw, i) => {
    const where = `metadata.managedFields[${i}]`;
    if (!isJsonObject(raw)) throw new Error(`${where} must be an object`);
    const { manager, operation, subresource, apiVersion, time, fieldsType, fieldsV1 } = raw;
    if (typeof manager !== "string") throw new Error(`${where}.manager must be a string`);
    if (operation !== "Apply" && operation !== "Update") throw new Error(`${where}.operation must be Apply or Update`);
    if (subresource !== undefined && typeof subresource !== "string") throw new Error(`${where}.subresource must be a string`);
    if (fieldsType !== undefined && fieldsType !== "FieldsV1") throw new Error(`${where}.fieldsType must be FieldsV1`);
    if (time !== undefined && typeof time !== "string") throw new Error(`${where}.time must be an RFC 3339 time`);
    const entry: ManagerEntry = {
      manager,
      operation,
      ...(subresource ? { subresource } : {}),
      apiVersion: typeof apiVersion === "string" ? apiVersion : API_VERSION,
      ...(time ? { time } : {}),
      set: fieldsV1 === undefined ? new FieldSet() : FieldSet.fromFieldsV1(fieldsV1),
    };
    const id = managerId(entry);
    if (managers.has(id)) throw new Error(`${where} repeats the manager ${printManager(entry)} with operation ${operation}`);
    managers.set(id, entry);
  });
  return managers;
}

/** `[]` or `[{}]` in a write asks to clear all managed fields, as in Kubernetes. */
export const isManagedFieldsReset = (entries: unknown): boolean =>
  Array.isArray(entries) && (entries.length === 0 || (entries.length === 1 && isJsonObject(entries[0]) && Object.keys(entries[0]).length === 0));

/** Entries in kube's order (Apply before Update, then oldest first, then by name); empty sets are dropped. */
export function encodeManagers(managers: Managers): ManagedFieldsEntry[] {
  return [...managers.values()]
    .filter((m) => !m.set.isEmpty())
    .sort(
      (a, b) =>
        cmp(a.operation, b.operation) ||
        seconds(a.time) - seconds(b.time) ||
        cmp(a.manager, b.manager) ||
        cmp(a.apiVersion, b.apiVersion) ||
        cmp(a.subresource ?? "", b.subresource ?? ""),
    )
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: "FieldsV1" as const,
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

/** Folds the oldest Update entries into one `ancient-changes` entry so at most `max` remain, as kube does. */
export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): Managers {
  const updaters = [...managers.entries()]
    .filter(([, m]) => m.operation === "Update" && !m.set.isEmpty())
    .sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  if (updaters.length <= max) return managers;
  const folded = updaters.slice(0, updaters.length - max + 1);
  const out: Managers = new Map(managers);
  let set = new FieldSet();
  for (const [id, m] of folded) {
    set = set.union(m.set);
    out.delete(id);
  }
  const last = folded[folded.length - 1]![1];
  const bucket: ManagerEntry = { manager: ANCIENT_CHANGES, operation: "Update", apiVersion: last.apiVersion, ...(last.time ? { time: last.time } : {}), set };
  out.set(managerId(bucket), bucket);
  return out;
}

/** The `metadata` field itself is never managed, only what is under it (kube strips it). */
export function withoutMetadataMember(set: FieldSet): FieldSet {
  if (!set.members.has(fieldKey("metadata"))) return set;
  const out = set.copy();
  out.members.delete(fieldKey("metadata"));
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const seconds = (time: string | undefined) => {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};
