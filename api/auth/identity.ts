// The identity subsystem assembled for the ApiServer: authenticators (API key, JWT, the mTLS slot), the
// RBAC authorizer, admission plugins, the endpoints of endpoints.ts, and the first start's bootstrap.
// The constructor does no I/O; start() opens the watched caches and settles the JWT secret.

import type { Logger } from "pino";
import { toRfc3339, type Clock } from "../machinery/clock.js";
import type { AdmissionPlugin } from "../server/admission.js";
import type { Authorizer, Route } from "../server/api-server.js";
import type { Authenticator } from "../server/authentication.js";
import { DEFAULT_MAX_BODY_BYTES } from "../server/http-io.js";
import type { ResourceService } from "../server/resource-service.js";
import type { ResourceInfo, ResourceRegistry } from "../schema/resource-info.js";
import type { Store } from "../store/store.js";
import { apiKeyAuthenticator } from "./api-key-authenticator.js";
import { ApiKeyMinter } from "./api-key-minting.js";
import type { AuthConfig } from "./auth-config.js";
import { authPrefixRoutes, authPublicRoutes } from "./auth-routes.js";
import { ensureBootstrapAdmin, type BootstrapResult } from "./bootstrap-admin.js";
import { defaultRoleProtection } from "./default-roles.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { identityAdmission } from "./identity-admission.js";
import { IdentityRecords } from "./identity-records.js";
import { jwtAuthenticator } from "./jwt-authenticator.js";
import { ensureJwtSecret } from "./jwt-secret.js";
import { JwtSessions } from "./jwt-sessions.js";
import { mtlsAuthenticator, type CertificateIdentity } from "./mtls-authenticator.js";
import { PasswordStore } from "./password-store.js";
import { PasswordHasher, type ScryptParams } from "./passwords.js";
import { PermissionResolver } from "./permission-resolver.js";
import { createRbacAuthorizer } from "./rbac.js";
import { TokenDenylist } from "./token-denylist.js";

export interface IdentityOptions {
  store: Store;
  registry: ResourceRegistry;
  clock: Clock;
  logger: Logger;
  config: AuthConfig;
  randomBytes: (n: number) => Uint8Array;
  /** The ApiServer's resource service; called only after the server is constructed. */
  service: () => ResourceService;
  maxBodyBytes?: number;
  /** scrypt parameters for new passwords (default N=2^14, r=8, p=1). */
  passwordParams?: ScryptParams;
  /** How a verified client certificate maps to a username (default: its CN). */
  certificateIdentity?: CertificateIdentity;
}

export class Identity {
  readonly records: IdentityRecords;
  readonly resolver: PermissionResolver;
  readonly minter: ApiKeyMinter;
  readonly denylist: TokenDenylist;
  readonly authenticators: readonly Authenticator[];
  readonly authorizer: Authorizer;
  readonly admission: readonly AdmissionPlugin[];
  readonly publicRoutes: ReadonlyMap<string, Route>;
  readonly prefixRoutes: readonly [string, Route][];
  private sessions: JwtSessions | undefined;

  constructor(private readonly opts: IdentityOptions) {
    const { store, clock, config, logger } = opts;
    this.records = new IdentityRecords({ store, clock, onWatchError: (err) => logger.warn({ err: err.message }, "identity cache watch restarting") });
    this.resolver = new PermissionResolver({ records: this.records, rbac: config.rbac });
    this.minter = new ApiKeyMinter({ store, service: opts.service, apiKeys: this.info("apikeys"), clock, randomBytes: opts.randomBytes, logger });
    this.denylist = new TokenDenylist({ store, clock, onError: (err) => logger.warn({ err: (err as Error).message }, "sweeping expired logouts failed") });
    this.authenticators = [
      apiKeyAuthenticator({ records: this.records, clock }),
      jwtAuthenticator({ records: this.records, sessions: () => this.sessions }),
      mtlsAuthenticator({ records: this.records, ...(opts.certificateIdentity ? { identify: opts.certificateIdentity } : {}) }),
    ];
    this.authorizer = createRbacAuthorizer({ resolver: this.resolver, store });
    this.admission = [defaultRoleProtection, identityAdmission({ resolver: this.resolver, records: this.records, rbac: config.rbac })];
    const deps: AuthEndpointDeps = {
      records: this.records,
      resolver: this.resolver,
      sessions: () => this.requireSessions(),
      denylist: this.denylist,
      hasher: new PasswordHasher({ randomBytes: opts.randomBytes, ...(opts.passwordParams ? { params: opts.passwordParams } : {}) }),
      passwords: new PasswordStore(store),
      minter: this.minter,
      service: opts.service,
      users: this.info("users"),
      apiKeys: this.info("apikeys"),
      clock,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    this.publicRoutes = authPublicRoutes(deps);
    this.prefixRoutes = authPrefixRoutes(deps);
  }

  async start(): Promise<void> {
    const { config, logger, store, clock } = this.opts;
    await this.records.start();
    const secret = config.jwt.secret ?? (await ensureJwtSecret({ store, randomBytes: this.opts.randomBytes, now: toRfc3339(clock.now()) }));
    this.sessions = new JwtSessions({ config: config.jwt, secret, clock, randomBytes: this.opts.randomBytes });
    this.denylist.start();
    if (!config.rbac.enabled) logger.warn("[auth.rbac] enabled = false: every authenticated caller may do everything; use this only for tests");
  }

  stop(): void {
    this.denylist.stop();
    this.records.stop();
  }

  /** Default roles when missing; on the store's first start, User admin and ApiKey bootstrap-admin with its secret. */
  bootstrap(): Promise<BootstrapResult> {
    return ensureBootstrapAdmin({
      store: this.opts.store,
      service: this.opts.service(),
      roles: this.info("roles"),
      users: this.info("users"),
      apiKeys: this.info("apikeys"),
      minter: this.minter,
      clock: this.opts.clock,
    });
  }

  private requireSessions(): JwtSessions {
    if (!this.sessions) throw new Error("the identity has not started");
    return this.sessions;
  }

  private info(plural: string): ResourceInfo {
    const info = this.opts.registry.byPlural(plural);
    if (!info) throw new Error(`the CRD registry has no ${plural}; is crds/ complete?`);
    return info;
  }
}
