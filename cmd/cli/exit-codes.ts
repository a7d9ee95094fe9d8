// The exit status of `claw`, so scripts can tell failures apart (kubectl uses 1 for all of them).

export const ExitCode = {
  /** Everything worked. */
  Ok: 0,
  /** A failure with no more specific code: a server error (5xx), an unexpected error, or several different failures. */
  Failure: 1,
  /** The command line was wrong, or a resource type, manifest or config file could not be used. Fix the input. */
  Usage: 2,
  /** The server could not be reached (refused, unknown host, timeout, TLS). Start it or fix --server. */
  Unreachable: 3,
  /** The server rejected or did not get a credential (401). */
  Unauthorized: 4,
  /** The credential is not allowed to do this (403). */
  Forbidden: 5,
  /** The object or resource does not exist (404). */
  NotFound: 6,
  /** It already exists, or changed meanwhile (409). */
  Conflict: 7,
  /** The server refused the object as invalid (422); the message lists the fields. */
  Invalid: 8,
  /** `claw diff` only: a failure that is 1 elsewhere, since diff's 1 means "something would change" (kubectl diff: >1 on error). */
  DiffFailed: 9,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One code for several failures: theirs when they agree, otherwise Failure. */
export function combineExitCodes(codes: ExitCode[]): ExitCode {
  if (codes.length === 0) return ExitCode.Ok;
  const first = codes[0]!;
  return codes.every((c) => c === first) ? first : ExitCode.Failure;
}

export const exitCodeForHttp = (code: number): ExitCode => {
  switch (code) {
    case 401: return ExitCode.Unauthorized;
    case 403: return ExitCode.Forbidden;
    case 404: return ExitCode.NotFound;
    case 409: return ExitCode.Conflict;
    case 422: return ExitCode.Invalid;
    case 400: return ExitCode.Usage;
    default: return ExitCode.Failure;
  }
};
