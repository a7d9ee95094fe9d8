// Finds the etcd executable and decides whether etcd-backed tests run, skip, or fail.
//
// Policy: tests that need etcd run whenever the binary exists. When it is missing they are skipped
// with a printed reason on a developer machine, but fail in CI (CI is set), so a CI image without
// etcd can never pass by silently skipping the etcd backend.

import { accessSync, constants } from "node:fs";
import { findExecutable, isCi } from "../testing/required-tool.js";

const INSTALL_HINT = "install it with `apt-get install -y etcd-server` (Debian) or point ETCD_BIN at an etcd 3.4+ binary";

/** The etcd executable: $ETCD_BIN when set, else the first `etcd` on PATH, else undefined. */
export function findEtcdBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ETCD_BIN) return executable(env.ETCD_BIN) ? env.ETCD_BIN : undefined;
  return findExecutable("etcd", env);
}

export type EtcdAvailability = { available: true; binary: string } | { available: false; reason: string };

export interface EtcdPolicyInput {
  binary: string | undefined;
  /** Whether this is a CI run (the CI environment variable is set and not "false"/"0"). */
  ci: boolean;
}

/** Pure policy: available, skip with a reason, or throw (CI without etcd). */
export function decideEtcd(input: EtcdPolicyInput): EtcdAvailability {
  if (input.binary) return { available: true, binary: input.binary };
  const reason = `etcd binary not found (looked at $ETCD_BIN, PATH, /usr/bin, /usr/local/bin); ${INSTALL_HINT}`;
  if (input.ci) throw new Error(`etcd is required in CI: ${reason}`);
  return { available: false, reason };
}

/** Whether an etcd binary is installed (no policy applied). */
export const etcdAvailable = (): boolean => findEtcdBinary() !== undefined;

/**
 * For test files: `const etcd = requireEtcd(); describe.skipIf(!etcd.available)(...)`.
 * Prints why etcd tests are skipped; throws in CI when etcd is missing.
 */
export function requireEtcd(env: NodeJS.ProcessEnv = process.env): EtcdAvailability {
  const availability = decideEtcd({ binary: findEtcdBinary(env), ci: isCi(env) });
  if (!availability.available) console.warn(`skipping etcd tests: ${availability.reason}`);
  return availability;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
