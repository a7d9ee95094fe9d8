// The client's version: the `version` of the package.json this code ships in.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "clawbernetes-claw";

/** Looks up from this file (works from the sources and from dist/); `v0.0.0-unknown` if not found. */
export function clientVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return `v${pkg.version}`;
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return "v0.0.0-unknown";
}
