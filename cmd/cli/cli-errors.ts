// Errors the CLI raises itself, before or beside the server's.

import type { ExitCode } from "./exit-codes.js";

/** Wrong flags or arguments; the message says what to type instead. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A manifest that cannot be applied; the message names the file and document. */
export class ManifestError extends Error {
  override name = "ManifestError";
}

/** Failures already reported line by line; only the exit code is left to give. */
export class ReportedFailure extends Error {
  override name = "ReportedFailure";
  constructor(readonly exitCode: ExitCode) {
    super("failures were reported above");
  }
}
