// cert-manager's policy chains: an ordered table of small named pure checks; the first that fires wins.
// Each decision exports its chain so a test can name every check.

export interface PolicyCheck<Input, Result> {
  /** PascalCase, as it appears in a condition's reason or a test's sentence. */
  name: string;
  /** The result when the check fires; undefined when it does not. */
  check(input: Input): Result | undefined;
}

export interface Fired<Result> {
  name: string;
  result: Result;
}

/** The first check of the chain that fires, with its result; undefined when none does. */
export function firstFiring<Input, Result>(chain: readonly PolicyCheck<Input, Result>[], input: Input): Fired<Result> | undefined {
  for (const { name, check } of chain) {
    const result = check(input);
    if (result !== undefined) return { name, result };
  }
  return undefined;
}
