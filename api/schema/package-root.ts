// The folder holding claw's package.json, found from this module's own location, so that crds/ and
// package.json are found both from source (tests) and from the compiled dist/ tree.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "crds"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find claw's package root (a folder with package.json and crds/) above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  cached = dir;
  return dir;
}
