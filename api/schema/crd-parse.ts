// Reads one CustomResourceDefinition (apiextensions.k8s.io/v1) into the ResourceInfo the API server serves.

import { COORDINATION_GROUP, GROUP, VERSION } from "../machinery/meta.js";
import type { PrinterColumn, ResourceInfo } from "./resource-info.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** The groups claw serves: the security resources, and the Lease of leader election. */
const SERVED_GROUPS = [GROUP, COORDINATION_GROUP];
const PRINTER_TYPES = new Set<PrinterColumn["type"]>(["string", "integer", "number", "boolean", "date"]);

/** Turns a parsed CRD document into a ResourceInfo; throws an Error naming the file and the field at fault. */
export function parseCrd(doc: unknown, source: string): ResourceInfo {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  const str = (o: Obj, key: string, path: string): string => {
    const v = o[key];
    return typeof v === "string" && v !== "" ? v : fail(`${path}.${key} must be a non-empty string`);
  };
  const strings = (o: Obj, key: string, path: string): string[] => {
    const v = o[key] ?? [];
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === "string" && s !== ""))
      return fail(`${path}.${key} must be a list of non-empty strings`);
    return v;
  };

  if (!isObj(doc)) return fail("is not a YAML mapping");
  if (doc.apiVersion !== "apiextensions.k8s.io/v1" || doc.kind !== "CustomResourceDefinition")
    fail(`is ${String(doc.apiVersion)} ${String(doc.kind)}, not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  const spec = isObj(doc.spec) ? doc.spec : fail("spec must be a mapping");
  const names = isObj(spec.names) ? spec.names : fail("spec.names must be a mapping");
  const group = str(spec, "group", "spec");
  if (!SERVED_GROUPS.includes(group)) fail(`spec.group is ${group}; every kind claw serves is in ${SERVED_GROUPS.join(" or ")}`);
  if (spec.scope !== "Cluster") fail(`spec.scope is ${String(spec.scope)}; every kind claw serves is cluster-scoped (Cluster)`);

  const kind = str(names, "kind", "spec.names");
  const plural = str(names, "plural", "spec.names");
  const metaName = isObj(doc.metadata) ? doc.metadata.name : undefined;
  if (metaName !== `${plural}.${group}`) fail(`metadata.name must be ${plural}.${group}, not ${String(metaName)}`);

  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObj) : fail("spec.versions must be a list");
  const served = versions.filter((v) => v.served === true && v.storage === true);
  if (versions.length !== 1 || served.length !== 1) fail(`spec.versions must hold exactly one version, ${VERSION}, served and storage`);
  const version = served[0] as Obj;
  if (version.name !== VERSION) fail(`spec.versions[0].name is ${String(version.name)}, expected ${VERSION}`);
  const schemaHolder = isObj(version.schema) ? version.schema : fail("spec.versions[0].schema must be a mapping");
  const schema = isObj(schemaHolder.openAPIV3Schema) ? schemaHolder.openAPIV3Schema : fail("spec.versions[0].schema.openAPIV3Schema must be a mapping");

  const columns = Array.isArray(version.additionalPrinterColumns) ? version.additionalPrinterColumns : [];
  const printerColumns = columns.map((c: unknown, i): PrinterColumn => {
    const path = `spec.versions[0].additionalPrinterColumns[${i}]`;
    if (!isObj(c)) return fail(`${path} must be a mapping`);
    const type = str(c, "type", path) as PrinterColumn["type"];
    if (!PRINTER_TYPES.has(type)) fail(`${path}.type must be one of ${[...PRINTER_TYPES].join(", ")}`);
    return {
      name: str(c, "name", path),
      type,
      jsonPath: str(c, "jsonPath", path),
      ...(typeof c.description === "string" ? { description: c.description } : {}),
      ...(typeof c.format === "string" ? { format: c.format } : {}),
      ...(typeof c.priority === "number" ? { priority: c.priority } : {}),
    };
  });

  return {
    group,
    version: VERSION,
    kind,
    listKind: typeof names.listKind === "string" ? names.listKind : `${kind}List`,
    plural,
    singular: typeof names.singular === "string" ? names.singular : kind.toLowerCase(),
    shortNames: strings(names, "shortNames", "spec.names"),
    categories: strings(names, "categories", "spec.names"),
    schema,
    printerColumns,
    hasStatusSubresource: isObj(version.subresources) && isObj(version.subresources.status),
  };
}
