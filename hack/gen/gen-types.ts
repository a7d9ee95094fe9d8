// CLI: regenerates api/types/*.ts from crds/. Run after editing a CRD:
//   npm run build && node dist/hack/gen/gen-types.js

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { findRepoRoot } from "../../api/schema/repo-root.js";
import { generateTypes } from "./generate-types.js";

export function writeTypes(repoRoot: string = findRepoRoot(import.meta.url)): string[] {
  const written: string[] = [];
  for (const [file, source] of generateTypes(repoRoot)) {
    const path = join(repoRoot, "api", "types", file);
    writeFileSync(path, source);
    written.push(path);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const path of writeTypes()) console.log(`wrote ${path}`);
}
