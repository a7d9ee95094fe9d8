// A command-line boolean written out, as in `--controllers=false`: true/false, yes/no, on/off, 1/0.

import { InvalidArgumentError } from "commander";

export function parseBooleanOption(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (["true", "yes", "on", "1"].includes(v)) return true;
  if (["false", "no", "off", "0"].includes(v)) return false;
  throw new InvalidArgumentError(`"${value}" is not true or false`);
}
