// What the identity endpoints share.

import type { Clock } from "../machinery/clock.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { AuditSink } from "../server/module.js";
import type { ResourceService } from "../server/resource-service.js";
import type { ApiKeyMinter } from "./api-key-minting.js";
import type { CredentialActivity } from "./credential-activity.js";
import type { IdentityRecords } from "./identity-records.js";
import type { JwtSessions } from "./jwt-sessions.js";
import type { MfaStore } from "./mfa-store.js";
import type { PasswordStore } from "./password-store.js";
import type { PasswordHasher } from "./passwords.js";
import type { PermissionResolver } from "./permission-resolver.js";
import type { TokenDenylist } from "./token-denylist.js";

export interface AuthEndpointDeps {
  records: IdentityRecords;
  resolver: PermissionResolver;
  /** The session token signer; available once the identity has started. */
  sessions: () => JwtSessions;
  denylist: TokenDenylist;
  hasher: PasswordHasher;
  passwords: PasswordStore;
  minter: ApiKeyMinter;
  service: () => ResourceService;
  /** The audit log (the module context's sink): sessions, passwords and minted keys are recorded here. */
  audit: AuditSink;
  users: ResourceInfo;
  apiKeys: ResourceInfo;
  clock: Clock;
  maxBodyBytes: number;
  /** TOTP MFA: the records (sealed secrets, hashed recovery codes) and the randomness for new secrets. */
  mfa: { store: MfaStore; randomBytes: (n: number) => Uint8Array };
  /** Records User status.lastLoginTime on a successful login; absent in tests that do not need it. */
  activity?: CredentialActivity;
}
