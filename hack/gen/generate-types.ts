// Generates api/types/*.ts, one module per kind, from the CRDs in crds/; the types-agree test reruns it.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseCrd } from "../../api/schema/crd-parse.js";
import { renderKindModule } from "./schema-to-ts.js";

/** `ApiKey` → `api-key.ts`. */
export const typeFileOf = (kind: string): string => `${kind.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}.ts`;

/** The generated modules, keyed by file name inside api/types/, in file-name order. */
export function generateTypes(repoRoot: string): Map<string, string> {
  const crdDir = join(repoRoot, "crds");
  const files = readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).sort();
  const modules = new Map<string, string>();
  for (const file of files) {
    const info = parseCrd(parse(readFileSync(join(crdDir, file), "utf8")), join(crdDir, file));
    modules.set(typeFileOf(info.kind), renderKindModule(info, `crds/${file}`));
  }
  return new Map([...modules].sort(([a], [b]) => a.localeCompare(b)));
}
