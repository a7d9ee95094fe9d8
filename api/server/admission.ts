// Admission: per-kind rules that run after schema validation and before a write reaches the store.
// Identity, RBAC and secret encryption plug in here; nothing registers itself on import.

import type { KubeObject } from "../machinery/meta.js";
import type { TxnOp } from "../store/store.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { Subresource } from "./object-rules.js";

export type Operation = "CREATE" | "UPDATE" | "DELETE";

export interface UserInfo {
  /** The username (`alice`): a User object's name. An API key acts as its owner. */
  name: string;
  /** The User's uid when authenticated: permissions are looked up by name, then held to this uid. */
  uid?: string;
  groups: string[];
  /** How the caller proved who they are; set by the authenticators of api/auth. */
  authentication?: AuthenticationInfo;
  /** A system identity (the in-process controllers): not a User, so no one can disable it; authorized by fixed rules only. */
  system?: { rules: readonly SystemRule[] };
  /**
   * Roles the credential itself carries, without a User object: a node certificate holds the node role.
   * Such an identity's permissions are these roles' alone; no User of the same name is consulted.
   */
  roles?: readonly string[];
}

/** A fixed rule of a system identity (the in-process controllers): these verbs on these resources, nothing else. */
export interface SystemRule {
  /** `roles`, `roles/status`, `leases`. */
  resources: readonly string[];
  verbs: readonly string[];
}

export interface AuthenticationInfo {
  method: "apikey" | "jwt" | "mtls";
  /** The API key's id (`ak_…`). */
  keyId?: string;
  /** An API key's scopes: the caller may do only what both the user's roles and these allow. */
  scopes?: string[];
  /** RFC 3339: when the credential stops working. */
  expiresAt?: string;
  /** A JWT's id and expiry (ms), for logout and refresh. */
  tokenId?: string;
  tokenExpiresAtMs?: number;
  /** A JWT's session limit (ms): no refresh reaches past it. */
  sessionMaxExpiresAtMs?: number;
  /** A JWT whose login proved a second factor (TOTP or a recovery code); refresh keeps it. */
  mfa?: boolean;
  /** Set by the identity module: this credential may only enrol MFA ([auth.mfa] required_for_roles); every permission is refused. */
  mfaEnrolmentOnly?: boolean;
}

export interface AdmissionRequest {
  info: ResourceInfo;
  operation: Operation;
  subresource: Subresource;
  /** The object about to be stored (absent for DELETE). */
  object?: KubeObject;
  oldObject?: KubeObject;
  user?: UserInfo;
  dryRun: boolean;
  /** Facts a server endpoint tells the plugins about a write it makes (the secrets module's rotate: `secretSource`). */
  hints?: Readonly<Record<string, string>>;
  /**
   * Store writes a plugin adds to the object's own transaction (a secret's version history): they commit
   * exactly when the object does. Ignored on dry-run.
   */
  effects: TxnOp[];
}

export interface AdmissionPlugin {
  name: string;
  /** Throws an ApiError to refuse; returns a replacement object to mutate; returns nothing to accept. */
  admit(request: AdmissionRequest): Promise<KubeObject | void> | KubeObject | void;
}

export async function runAdmission(plugins: readonly AdmissionPlugin[], request: AdmissionRequest): Promise<KubeObject | undefined> {
  let object = request.object;
  for (const plugin of plugins) {
    const replaced = await plugin.admit({ ...request, ...(object ? { object } : {}) });
    if (replaced) object = replaced;
  }
  return object;
}
