// The server's /version answer and `claw version`: claw's version, shaped as Kubernetes' version.Info.

import { readFileSync } from "node:fs";
import { findRepoRoot as packageRoot } from "../../api/schema/repo-root.js";
import type { VersionInfo } from "../../api/server/api-server.js";

/** The Kubernetes API level claw's REST conventions follow; kubectl compares it for version skew. */
const KUBE_API_LEVEL = { major: "1", minor: "32" };

export function clawVersion(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot()}/package.json`, "utf8")) as { version: string };
  return pkg.version;
}

export function versionInfo(): VersionInfo {
  return {
    ...KUBE_API_LEVEL,
    gitVersion: `v${KUBE_API_LEVEL.major}.${KUBE_API_LEVEL.minor}.0-claw.${clawVersion()}`,
    platform: `${process.platform}/${process.arch}`,
    goVersion: `node${process.versions.node}`,
    compiler: "tsc",
  };
}
