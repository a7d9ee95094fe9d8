// The permission grammar `resource:action[,action…]` with `*`, and sets of permissions with union and
// intersection. A pure module: roles, API key scopes, the authorizer and escalation checks all use it.
//
// The universe is closed (the CRDs' pattern names every resource and action), so a set is a bitmask of
// actions per concrete resource: `*` expands to every resource or action, and `admin` implies every action.

/** The resources of crds/roles…yaml's pattern: the guide's seven, plus the kinds and feeds claw serves. */
export const RESOURCES = [
  "nodes",
  "workloads",
  "secrets",
  "secretpolicies",
  "users",
  "roles",
  "apikeys",
  "certificates",
  "blockrules",
  "audit",
  "metrics",
  "logs",
  "molt",
] as const;
export type Resource = (typeof RESOURCES)[number];

/** The actions of the pattern: the guide's seven, plus `write` (the node role's metrics:write, logs:write). */
export const ACTIONS = ["create", "read", "list", "update", "delete", "execute", "write", "admin"] as const;
export type Action = (typeof ACTIONS)[number];

export const WILDCARD = "*";

/** One parsed permission; `*` stands for every resource or every action. */
export interface Permission {
  resource: Resource | "*";
  actions: (Action | "*")[];
}

export class PermissionSyntaxError extends Error {
  override name = "PermissionSyntaxError";
}

const RESOURCE_SET = new Set<string>(RESOURCES);
const ACTION_BIT = new Map<string, number>(ACTIONS.map((a, i) => [a, 1 << i]));
const ALL_ACTIONS = (1 << ACTIONS.length) - 1;
const ADMIN_BIT = ACTION_BIT.get("admin")!;

export const isResource = (text: string): text is Resource => RESOURCE_SET.has(text);
export const isAction = (text: string): text is Action => ACTION_BIT.has(text);

/** Parses `resource:action[,action…]`; throws PermissionSyntaxError saying what is wrong and what is allowed. */
export function parsePermission(text: string): Permission {
  const colon = text.indexOf(":");
  if (colon < 0) throw new PermissionSyntaxError(`"${text}" is not resource:action (for example workloads:* or nodes:read,list)`);
  const resource = text.slice(0, colon);
  const actionText = text.slice(colon + 1);
  if (resource !== WILDCARD && !isResource(resource))
    throw new PermissionSyntaxError(`"${text}": unknown resource "${resource}"; resources are *, ${RESOURCES.join(", ")}`);
  if (actionText === "") throw new PermissionSyntaxError(`"${text}": no action after the colon; actions are *, ${ACTIONS.join(", ")}`);
  const actions = actionText.split(",").map((action) => {
    if (action !== WILDCARD && !isAction(action))
      throw new PermissionSyntaxError(`"${text}": unknown action "${action === "" ? "(empty)" : action}"; actions are *, ${ACTIONS.join(", ")}`);
    return action;
  });
  return { resource, actions };
}

/** The message that says why a permission does not parse, or undefined when it does. */
export function permissionError(text: string): string | undefined {
  try {
    parsePermission(text);
    return undefined;
  } catch (err) {
    if (err instanceof PermissionSyntaxError) return err.message;
    throw err;
  }
}

function maskOf(actions: readonly (Action | "*")[]): number {
  let mask = 0;
  for (const action of actions) mask |= action === WILDCARD ? ALL_ACTIONS : ACTION_BIT.get(action)!;
  // `admin` implies every action on its resource.
  return mask & ADMIN_BIT ? ALL_ACTIONS : mask;
}

/** An immutable set of concrete resource:action pairs. */
export class PermissionSet {
  private constructor(private readonly masks: ReadonlyMap<Resource, number>) {}

  static readonly empty = new PermissionSet(new Map());
  static readonly all = new PermissionSet(new Map(RESOURCES.map((r) => [r, ALL_ACTIONS])));

  /** The set granted by permission strings; throws PermissionSyntaxError on the first that does not parse. */
  static parse(texts: readonly string[]): PermissionSet {
    return PermissionSet.of(texts.map(parsePermission));
  }

  static of(permissions: readonly Permission[]): PermissionSet {
    const masks = new Map<Resource, number>();
    for (const p of permissions) {
      const mask = maskOf(p.actions);
      for (const r of p.resource === WILDCARD ? RESOURCES : [p.resource]) masks.set(r, (masks.get(r) ?? 0) | mask);
    }
    return new PermissionSet(masks);
  }

  /** True when every pair the permission names is in the set (`*:admin` asks for admin on every resource). */
  allows(resource: Resource | "*", action: Action | "*"): boolean {
    const want = action === WILDCARD ? ALL_ACTIONS : ACTION_BIT.get(action)!;
    const resources = resource === WILDCARD ? RESOURCES : [resource];
    return resources.every((r) => ((this.masks.get(r) ?? 0) & want) === want);
  }

  /** True when this set holds every pair of `other`. */
  covers(other: PermissionSet): boolean {
    for (const [r, mask] of other.masks) if (((this.masks.get(r) ?? 0) & mask) !== mask) return false;
    return true;
  }

  union(other: PermissionSet): PermissionSet {
    const masks = new Map(this.masks);
    for (const [r, mask] of other.masks) masks.set(r, (masks.get(r) ?? 0) | mask);
    return new PermissionSet(masks);
  }

  intersect(other: PermissionSet): PermissionSet {
    const masks = new Map<Resource, number>();
    for (const [r, mask] of this.masks) {
      const both = mask & (other.masks.get(r) ?? 0);
      if (both) masks.set(r, both);
    }
    return new PermissionSet(masks);
  }

  /** The pairs of this set that `other` lacks. */
  minus(other: PermissionSet): PermissionSet {
    const rest = new Map<Resource, number>();
    for (const [r, mask] of this.masks) {
      const gap = mask & ~(other.masks.get(r) ?? 0);
      if (gap) rest.set(r, gap);
    }
    return new PermissionSet(rest);
  }

  isEmpty(): boolean {
    for (const mask of this.masks.values()) if (mask) return false;
    return true;
  }

  equals(other: PermissionSet): boolean {
    return this.covers(other) && other.covers(this);
  }

  /** Every pair as `resource:action`, sorted: what status.resolvedPermissions and effectivePermissions show. */
  pairs(): string[] {
    const out: string[] = [];
    for (const [r, mask] of this.masks) for (const a of ACTIONS) if (mask & ACTION_BIT.get(a)!) out.push(`${r}:${a}`);
    return out.sort();
  }

  /** The shortest readable form: `*:*`, `*:read,list`, `workloads:*`, `nodes:read,list`, in resource order. */
  toStrings(): string[] {
    const actionsText = (mask: number) => (mask === ALL_ACTIONS ? WILDCARD : ACTIONS.filter((a) => mask & ACTION_BIT.get(a)!).join(","));
    const first = this.masks.get(RESOURCES[0]) ?? 0;
    if (first && RESOURCES.every((r) => this.masks.get(r) === first)) return [`*:${actionsText(first)}`];
    const common = RESOURCES.reduce((acc, r) => acc & (this.masks.get(r) ?? 0), ALL_ACTIONS);
    const out = common ? [`*:${actionsText(common)}`] : [];
    for (const r of RESOURCES) {
      const mask = this.masks.get(r) ?? 0;
      const rest = mask === ALL_ACTIONS ? mask : mask & ~common;
      if (rest) out.push(`${r}:${actionsText(rest)}`);
    }
    return out;
  }
}

/** The permissions of a list that may not parse (stored data written before a rule tightened): none when it does not. */
export const permissionsOrEmpty = (texts: readonly string[] | undefined): PermissionSet => {
  try {
    return PermissionSet.parse(texts ?? []);
  } catch (err) {
    if (err instanceof PermissionSyntaxError) return PermissionSet.empty;
    throw err;
  }
};
