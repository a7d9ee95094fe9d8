// Whether a test that needs an external tool (kubectl, etcd) runs, skips, or fails.
// Policy: run when the tool exists; when it is missing, skip with a printed reason on a developer
// machine, but fail under CI (CI set and not "false"/"0"), so CI can never pass by skipping.

import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export type ToolAvailability = { available: true; path: string } | { available: false; reason: string };

export const isCi = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of [...(env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/bin", "/usr/local/bin"]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function requireTool(name: string, installHint: string, env: NodeJS.ProcessEnv = process.env): ToolAvailability {
  const path = findExecutable(name, env);
  if (path) return { available: true, path };
  const reason = `${name} not found on PATH; ${installHint}`;
  if (isCi(env)) throw new Error(`${name} is required in CI: ${reason}`);
  console.warn(`skipping tests that need ${name}: ${reason}`);
  return { available: false, reason };
}
