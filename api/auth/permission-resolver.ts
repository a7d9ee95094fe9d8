// A caller's effective permissions: the union of their roles' permissions, intersected with the API key's
// scopes when they authenticated with one. Read from the watched caches on every request.

import type { UserInfo } from "../server/admission.js";
import type { RbacConfig } from "./auth-config.js";
import type { IdentityRecords, UserRecord } from "./identity-records.js";
import { PermissionSet, PermissionSyntaxError, type Action, type Resource } from "../rbac/permissions.js";

export interface RoleGrant {
  name: string;
  /** Undefined when the role does not exist (it grants nothing). */
  permissions?: PermissionSet;
}

export interface Effective {
  username: string;
  user?: UserRecord;
  roles: RoleGrant[];
  /** The union of the roles. */
  rolePermissions: PermissionSet;
  /** The API key's scopes, when the caller used one. */
  scopes?: PermissionSet;
  keyId?: string;
  /** What the caller may do: rolePermissions ∩ scopes. */
  permissions: PermissionSet;
}

export interface Decision {
  allowed: boolean;
  /** Why, for people: the role that grants it, or the permission that is missing and where it fell short. */
  reason: string;
}

const SCOPE_MEMO_LIMIT = 1024;

export class PermissionResolver {
  private readonly scopeMemo = new Map<string, PermissionSet>();
  /** Parsed scopes by the array a cached ApiKey record holds (the same array on every request with that key). */
  private readonly scopeArrays = new WeakMap<readonly string[], PermissionSet>();
  /** Set operations on the stable sets of cached records, so a hot request allocates nothing. */
  private readonly unions = new WeakMap<PermissionSet, WeakMap<PermissionSet, PermissionSet>>();
  private readonly intersections = new WeakMap<PermissionSet, WeakMap<PermissionSet, PermissionSet>>();

  constructor(private readonly opts: { records: IdentityRecords; rbac: RbacConfig }) {}

  get rbacEnabled(): boolean {
    return this.opts.rbac.enabled;
  }

  /**
   * What a user's roles grant whatever the user's state, disabled or not: what a credential for them would
   * carry once they are enabled, so what anyone who mints one, sets their password or enables them must hold.
   */
  async heldBy(username: string): Promise<Effective> {
    const { users } = this.opts.records;
    const user = users.peek(username)?.value ?? (await users.get(username));
    const { roles, rolePermissions } = await this.grantOf(user?.roles ?? []);
    return { username, ...(user ? { user } : {}), roles, rolePermissions, permissions: rolePermissions };
  }

  /** What roles of these names grant together, and which of them exist. */
  async grantOf(names: readonly string[]): Promise<{ roles: RoleGrant[]; rolePermissions: PermissionSet }> {
    const { roles: roleCache } = this.opts.records;
    const roles: RoleGrant[] = [];
    let rolePermissions = PermissionSet.empty;
    for (const name of names) {
      const role = roleCache.peek(name)?.value ?? (await roleCache.get(name));
      roles.push(role ? { name, permissions: role.permissions } : { name });
      if (role) rolePermissions = rolePermissions === PermissionSet.empty ? role.permissions : rolePermissions.union(role.permissions);
    }
    return { roles, rolePermissions };
  }

  /** What a user's roles grant now (no key scopes; nothing while disabled): for access reviews of another user. */
  async ofUser(username: string): Promise<Effective> {
    const held = await this.heldBy(username);
    return held.user?.disabled ? { ...held, rolePermissions: PermissionSet.empty, permissions: PermissionSet.empty } : held;
  }

  /** The decision alone, without the reason. */
  allows(effective: Effective, resource: Resource | "*", action: Action | "*"): boolean {
    return !this.opts.rbac.enabled || effective.permissions.allows(resource, action);
  }

  /** The caller's effective permissions from the caches alone, without I/O: the authorizer's fast path. Undefined on a miss. */
  cachedPermissions(caller: UserInfo): PermissionSet | undefined {
    const { users, roles } = this.opts.records;
    if (caller.roles) return this.cachedGrant(caller.roles);
    const user = users.peek(caller.name);
    if (!user) return undefined;
    let permissions = PermissionSet.empty;
    if (user.value && !user.value.disabled && (caller.uid === undefined || user.value.uid === caller.uid)) {
      for (const name of user.value.roles) {
        const role = roles.peek(name);
        if (!role) return undefined;
        if (role.value) permissions = permissions === PermissionSet.empty ? role.value.permissions : memo(this.unions, permissions, role.value.permissions, (a, b) => a.union(b));
      }
    }
    const scopes = caller.authentication?.scopes;
    return scopes ? memo(this.intersections, permissions, this.scopesOf(scopes), (a, b) => a.intersect(b)) : permissions;
  }

  /** What named roles grant from the caches alone; undefined on a miss. */
  private cachedGrant(names: readonly string[]): PermissionSet | undefined {
    let permissions = PermissionSet.empty;
    for (const name of names) {
      const role = this.opts.records.roles.peek(name);
      if (!role) return undefined;
      if (role.value) permissions = permissions === PermissionSet.empty ? role.value.permissions : memo(this.unions, permissions, role.value.permissions, (a, b) => a.union(b));
    }
    return permissions;
  }

  /** What the caller of a request may do. */
  async of(caller: UserInfo): Promise<Effective> {
    // An identity that carries its roles (a node certificate) holds those roles and nothing of any User.
    if (caller.roles) {
      const { roles, rolePermissions } = await this.grantOf(caller.roles);
      return { username: caller.name, roles, rolePermissions, permissions: rolePermissions };
    }
    let base = await this.ofUser(caller.name);
    // A credential proven for one user holds nothing once that user is deleted and the name reused.
    if (caller.uid !== undefined && base.user && base.user.uid !== caller.uid) base = { username: caller.name, roles: [], rolePermissions: PermissionSet.empty, permissions: PermissionSet.empty };
    const auth = caller.authentication;
    if (!auth?.scopes) return base;
    const scopes = this.scopesOf(auth.scopes);
    return { ...base, scopes, ...(auth.keyId ? { keyId: auth.keyId } : {}), permissions: base.rolePermissions.intersect(scopes) };
  }

  /** Decides one resource:action for an effective set, with the reason a person reads. */
  decide(effective: Effective, resource: Resource | "*", action: Action | "*"): Decision {
    const wanted = `${resource}:${action}`;
    if (!this.opts.rbac.enabled) return { allowed: true, reason: "RBAC is off on this server ([auth.rbac] enabled = false)" };
    if (effective.permissions.allows(resource, action)) {
      const role = effective.roles.find((r) => r.permissions?.allows(resource, action));
      return { allowed: true, reason: role ? `the role "${role.name}" grants ${wanted}` : `granted ${wanted}` };
    }
    if (effective.rolePermissions.allows(resource, action) && effective.scopes)
      return { allowed: false, reason: `needs ${wanted} (the user's roles grant it, but API key ${effective.keyId ?? ""} is limited to ${effective.scopes.toStrings().join(", ")})` };
    if (effective.user?.disabled) return { allowed: false, reason: `needs ${wanted} (user "${effective.username}" is disabled)` };
    const existing = effective.roles.filter((r) => r.permissions).map((r) => r.name);
    const missing = effective.roles.filter((r) => !r.permissions).map((r) => r.name);
    const held = existing.length > 0 ? `none of the roles ${existing.join(", ")} grants it` : effective.user ? "the user has no roles" : "no such user";
    const absent = missing.length > 0 ? `; role(s) ${missing.join(", ")} do not exist` : "";
    return { allowed: false, reason: `needs ${wanted} (${held}${absent})` };
  }

  private scopesOf(texts: readonly string[]): PermissionSet {
    const known = this.scopeArrays.get(texts);
    if (known) return known;
    const key = texts.join("\n");
    let set = this.scopeMemo.get(key);
    if (!set) {
      try {
        set = PermissionSet.parse(texts);
      } catch (err) {
        if (!(err instanceof PermissionSyntaxError)) throw err;
        set = PermissionSet.empty;
      }
      if (this.scopeMemo.size >= SCOPE_MEMO_LIMIT) this.scopeMemo.clear();
      this.scopeMemo.set(key, set);
    }
    this.scopeArrays.set(texts, set);
    return set;
  }
}

function memo(table: WeakMap<PermissionSet, WeakMap<PermissionSet, PermissionSet>>, a: PermissionSet, b: PermissionSet, op: (a: PermissionSet, b: PermissionSet) => PermissionSet): PermissionSet {
  let row = table.get(a);
  if (!row) table.set(a, (row = new WeakMap()));
  let result = row.get(b);
  if (!result) row.set(b, (result = op(a, b)));
  return result;
}
