// The ResourceRegistry read from the CRD YAML files in crds/, the schema's one source of truth.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { parseCrd } from "./crd-parse.js";
import { defaultCrdDir } from "./repo-root.js";
import type { ResourceInfo, ResourceRegistry } from "./resource-info.js";

/** Reads every `*.yaml` CRD in dir (synchronously: it runs once at startup). Throws on a malformed or clashing CRD. */
export function loadCrdRegistry(dir: string = defaultCrdDir()): ResourceRegistry {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  if (files.length === 0) throw new Error(`no CRD files (*.yaml) found in ${dir}`);
  const infos = files.flatMap((file) => {
    const path = join(dir, file);
    const docs = parseAllDocuments(readFileSync(path, "utf8"));
    return docs.flatMap((doc, i) => {
      const source = docs.length > 1 ? `${path} (document ${i + 1})` : path;
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? "YAML syntax error"}`);
      const value: unknown = doc.toJS();
      return value === null ? [] : [parseCrd(value, source)];
    });
  });
  return createRegistry(infos);
}

/** A registry over the given kinds; every plural, singular, short name and kind must name one kind only. */
export function createRegistry(infos: readonly ResourceInfo[]): ResourceRegistry {
  const sorted = [...infos].sort((a, b) => a.plural.localeCompare(b.plural));
  const byPlural = new Map<string, ResourceInfo>();
  const byKind = new Map<string, ResourceInfo>();
  const byAlias = new Map<string, ResourceInfo>();
  for (const info of sorted) {
    if (byKind.has(info.kind)) throw new Error(`two CRDs define kind ${info.kind}`);
    byPlural.set(info.plural, info);
    byKind.set(info.kind, info);
    const aliases = new Set(
      [info.plural, info.singular, info.kind, `${info.plural}.${info.group}`, `${info.plural}.${info.version}.${info.group}`, ...info.shortNames].map((a) => a.toLowerCase()),
    );
    for (const alias of aliases) {
      const other = byAlias.get(alias);
      if (other) throw new Error(`"${alias}" names both ${other.kind} and ${info.kind}; give one of them another short name`);
      byAlias.set(alias, info);
    }
  }
  return {
    all: () => sorted,
    byPlural: (plural) => byPlural.get(plural),
    byKind: (kind) => byKind.get(kind),
    resolve: (name) => byAlias.get(name.trim().toLowerCase()),
  };
}
