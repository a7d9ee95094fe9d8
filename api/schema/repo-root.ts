// Finds the repository's root (the folder with package.json) from a module's URL, so data folders such as
// crds/ resolve the same from source (vitest) and from the compiled dist/ tree.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function findRepoRoot(fromUrl: string = import.meta.url): string {
  const start = dirname(fileURLToPath(fromUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found in ${start} or any folder above it`);
  }
}

/** `<repo>/crds`, the schema's one source of truth. */
export const defaultCrdDir = (): string => join(findRepoRoot(), "crds");
