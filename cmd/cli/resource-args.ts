// `KIND [NAME…]` or `KIND/NAME …`, as kubectl takes them.

import { UsageError } from "./cli-errors.js";

export interface ResourceArgs {
  kind: string;
  names: string[];
}

export function parseResourceArgs(args: string[], verb: string): ResourceArgs {
  const [first, ...rest] = args;
  if (!first) throw new UsageError(`you must say what to ${verb}: claw ${verb} KIND [NAME…] (see 'claw api-resources' for the kinds)`);
  if (!first.includes("/")) {
    if (rest.some((a) => a.includes("/"))) throw new UsageError(`there is no need to give a kind in "${rest.find((a) => a.includes("/"))}" when one was given as "${first}"`);
    return { kind: first, names: rest };
  }
  const pairs = args.map((arg) => {
    const slash = arg.indexOf("/");
    if (slash <= 0 || slash === arg.length - 1) throw new UsageError(`"${arg}" is not KIND/NAME; give every argument as KIND/NAME, or KIND NAME…`);
    return { kind: arg.slice(0, slash), name: arg.slice(slash + 1) };
  });
  const kinds = new Set(pairs.map((p) => p.kind.toLowerCase()));
  if (kinds.size > 1) throw new UsageError(`give one kind at a time (got ${[...kinds].join(", ")})`);
  return { kind: pairs[0]!.kind, names: pairs.map((p) => p.name) };
}
