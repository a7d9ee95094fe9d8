// `env=production,team=backend` on the command line (--labels, --allow-labels), as the access rules read labels.

import { keyProblem, valueProblem } from "../../api/machinery/label-selector.js";
import { UsageError } from "./cli-errors.js";

/** Comma-separated key=value pairs, checked as label keys and values; a key given twice is refused. */
export function parseLabelList(text: string, flag: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const items = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs at least one key=value, such as env=production`);
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag}: "${item}" is not key=value, such as env=production`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const problem = keyProblem(key) ?? valueProblem(value);
    if (problem) throw new UsageError(`${flag}: ${problem}`);
    if (Object.hasOwn(labels, key) && labels[key] !== value) throw new UsageError(`${flag}: the key "${key}" is given twice, as "${labels[key]}" and "${value}"`);
    labels[key] = value;
  }
  return labels;
}
