// The comma-separated permission lists of `--permissions` and `--scopes`, where one permission may itself
// list several actions: `workloads:*,nodes:read,list,secrets:read` is workloads:*, nodes:read,list and secrets:read.

import { UsageError } from "./cli-errors.js";

const WORD = /^(\*|[a-z][a-z0-9-]*)$/;

/**
 * Parses one or more comma-separated lists into permissions `resource:action[,action…]`. An item with a
 * `:` starts a permission; an item without one adds an action to the permission before it. Empty items
 * are skipped and exact duplicates dropped; anything else malformed is a UsageError naming the flag.
 */
export function parsePermissionList(texts: string | string[], flag = "--permissions"): string[] {
  const permissions: { resource: string; actions: string[] }[] = [];
  for (const text of typeof texts === "string" ? [texts] : texts) {
    for (const raw of text.split(",")) {
      const item = raw.trim();
      if (item === "") continue;
      const parts = item.split(":");
      if (parts.length > 2) throw new UsageError(`${flag}: "${item}" has more than one ':'; write resource:action, such as nodes:read`);
      if (parts.length === 1) {
        const last = permissions[permissions.length - 1];
        if (!last) throw new UsageError(`${flag}: "${item}" has no resource; write resource:action, such as nodes:${item}`);
        last.actions.push(checkWord(item, "action", item, flag));
        continue;
      }
      const [resource = "", action = ""] = parts;
      permissions.push({ resource: checkWord(resource, "resource", item, flag), actions: [checkWord(action, "action", item, flag)] });
    }
  }
  const out = permissions.map((p) => `${p.resource}:${[...new Set(p.actions)].join(",")}`);
  if (out.length === 0) throw new UsageError(`${flag} needs at least one permission resource:action, such as "workloads:*,nodes:read"`);
  return [...new Set(out)];
}

function checkWord(word: string, what: "resource" | "action", item: string, flag: string): string {
  if (word === "") throw new UsageError(`${flag}: "${item}" has no ${what}; write resource:action, such as nodes:read`);
  if (!WORD.test(word)) {
    throw new UsageError(`${flag}: the ${what} "${word}" in "${item}" must be * or lower-case letters, digits and '-', such as ${what === "resource" ? "nodes" : "read"}`);
  }
  return word;
}

/** Permissions as the guide shows them: `workloads:*, nodes:read`. */
export const formatPermissions = (permissions: readonly string[]): string => (permissions.length ? permissions.join(", ") : "<none>");
