// A subcommand's option that has the name of one of claw's global options (`claw security firewall --config`,
// where `claw --config` is the kubeconfig). Commander gives every `--config` on the line to the global option,
// wherever it stands, so the subcommand takes back the ones written after its own name from the raw
// arguments, and the global option keeps only those written before.

import type { Command, Option } from "commander";

/** The global option's value from the arguments before the subcommand, and the subcommand's from those after. */
export interface ShadowedValues {
  global?: string;
  local?: string;
}

/**
 * Splits the values of `--NAME` between the root command and `command` (a subcommand of it, at any depth) by
 * where they stand on the command line, and gives the root back its own value (or none). Call it before the
 * action reads either.
 */
export function reclaimShadowedOption(command: Command, long: string): ShadowedValues {
  const path: string[] = [];
  let root = command;
  for (; root.parent; root = root.parent) path.unshift(root.name());
  const raw: unknown = (root as unknown as { rawArgs?: unknown }).rawArgs;
  const args = Array.isArray(raw) ? raw.filter((a): a is string => typeof a === "string") : [];
  const split = afterSubcommand(args, path, root.options);
  const global = lastValue(args.slice(0, split), long);
  const local = lastValue(args.slice(split), long);
  const attribute = root.options.find((o) => o.long === long)?.attributeName();
  if (attribute !== undefined) root.setOptionValue(attribute, global);
  return { ...(global !== undefined ? { global } : {}), ...(local !== undefined ? { local } : {}) };
}

/** The index of the first argument after the subcommand's name (the path of names from the root), skipping the root's option values; the end if not found. */
function afterSubcommand(args: readonly string[], path: readonly string[], rootOptions: readonly Option[]): number {
  let matched = 0;
  for (let i = 0; i < args.length; i++) {
    if (matched === path.length) return i;
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg.startsWith("-")) {
      const option = rootOptions.find((o) => o.long === arg || o.short === arg);
      if (option && (option.required || option.optional)) i++; // its value, which may look like a command name
      continue;
    }
    if (arg === path[matched]) matched++;
  }
  return args.length;
}

/** The value of the last `--NAME VALUE` or `--NAME=VALUE` among the arguments. */
function lastValue(args: readonly string[], long: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg === long && i + 1 < args.length) value = args[++i];
    else if (arg.startsWith(`${long}=`)) value = arg.slice(long.length + 1);
  }
  return value;
}
