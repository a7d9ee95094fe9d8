// How every command runs: errors rendered once, the exit code carried out, the client closed.

import { CommanderError } from "commander";
import { isConnectionError } from "../../api/client/connection-error.js";
import { isUnauthorized } from "../../api/machinery/errors.js";
import { ReportedFailure } from "./cli-errors.js";
import type { CliSession } from "./cli-session.js";
import { renderError } from "./error-render.js";
import { combineExitCodes, type ExitCode } from "./exit-codes.js";

/** The CommanderError code of a command that failed; its exitCode is the claw exit code. */
export const FAILED = "claw.failed";

export function runAction<A extends unknown[]>(session: CliSession, fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const rendered = renderError(err, session.errorContext());
      if (rendered.message) session.err(rendered.message);
      throw new CommanderError(rendered.exitCode, FAILED, rendered.message);
    } finally {
      await session.close();
    }
  };
}

/** Per-item failures (one document, one name) reported as they happen; the command fails at the end. */
export class FailureLog {
  private codes: ExitCode[] = [];

  constructor(private readonly session: CliSession) {}

  /** Reports err; returns true when the rest cannot succeed either (server unreachable, credential rejected). */
  report(err: unknown, during?: string): boolean {
    const rendered = renderError(err, this.session.errorContext(during));
    if (rendered.message) this.session.err(rendered.message);
    this.codes.push(rendered.exitCode);
    return isConnectionError(err) || isUnauthorized(err);
  }

  get failed(): boolean {
    return this.codes.length > 0;
  }

  /** Throws ReportedFailure when anything failed. */
  finish(): void {
    if (this.codes.length) throw new ReportedFailure(combineExitCodes(this.codes));
  }
}
