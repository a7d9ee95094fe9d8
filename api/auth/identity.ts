// The identity module: authenticators (API key, JWT, the mTLS slot), the RBAC permission decider it
// provides to the pipeline's authorizer, admission plugins, the identity routes (auth-routes.ts), and the
// first start's bootstrap. The constructor does no I/O; start() opens the watched caches and settles the
// JWT secret.

import { toRfc3339 } from "../machinery/clock.js";
import type { AdmissionPlugin } from "../server/admission.js";
import type { Authenticator } from "../server/authentication.js";
import type { PermissionDecider } from "../server/authorizer.js";
import type { ModuleContext, ModuleRuntime, ServerModule } from "../server/module.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Route } from "../server/route-table.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { apiKeyAuthenticator } from "./api-key-authenticator.js";
import { ApiKeyMinter } from "./api-key-minting.js";
import type { AuthConfig } from "./auth-config.js";
import { authRoutes } from "./auth-routes.js";
import { ensureBootstrapAdmin, type BootstrapResult } from "./bootstrap-admin.js";
import { CredentialActivity } from "./credential-activity.js";
import { defaultRoleProtection } from "./default-roles.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { identityAdmission } from "./identity-admission.js";
import { IdentityRecords } from "./identity-records.js";
import { jwtAuthenticator } from "./jwt-authenticator.js";
import { kubeReviewRoutes } from "./kube-review-routes.js";
import { ensureJwtSecret } from "./jwt-secret.js";
import { JwtSessions } from "./jwt-sessions.js";
import { mfaEnrolmentDecider, mfaGate } from "./mfa-gate.js";
import { MfaStore } from "./mfa-store.js";
import { mtlsAuthenticator, type CertificateIdentity } from "./mtls-authenticator.js";
import { PasswordStore } from "./password-store.js";
import { PasswordHasher, type ScryptParams } from "./passwords.js";
import { PermissionResolver } from "./permission-resolver.js";
import { rbacDecider } from "./rbac.js";
import { TokenDenylist } from "./token-denylist.js";

export interface IdentityOptions {
  config: AuthConfig;
  /** scrypt parameters for new passwords (default N=2^14, r=8, p=1). */
  passwordParams?: ScryptParams;
  /** How a verified client certificate maps to a username (default: its CN). */
  certificateIdentity?: CertificateIdentity;
  /** At most one lastLoginTime / lastUsedTime write per credential per interval (default one hour). */
  activityIntervalMs?: number;
}

export class Identity implements ServerModule {
  readonly name = "identity";
  readonly records: IdentityRecords;
  readonly resolver: PermissionResolver;
  readonly minter: ApiKeyMinter;
  readonly denylist: TokenDenylist;
  readonly activity: CredentialActivity;
  readonly authenticators: readonly Authenticator[];
  readonly admission: readonly AdmissionPlugin[];
  readonly routes: readonly Route[];
  readonly provides: { permissions: PermissionDecider };
  private sessions: JwtSessions | undefined;
  private resources: ResourceService | undefined;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly opts: IdentityOptions,
  ) {
    const { store, clock, logger } = ctx;
    const { config } = opts;
    const randomBytes = (n: number) => ctx.random.bytes(n);
    const service = () => this.service();
    this.records = new IdentityRecords({ store, clock, onWatchError: (err) => logger.warn({ err: err.message }, "identity cache watch restarting") });
    this.resolver = new PermissionResolver({ records: this.records, rbac: config.rbac });
    this.minter = new ApiKeyMinter({ store, service, apiKeys: this.info("apikeys"), clock, randomBytes, logger });
    this.denylist = new TokenDenylist({ store, clock, onError: (err) => logger.warn({ err: (err as Error).message }, "sweeping expired logouts failed") });
    this.activity = new CredentialActivity({ service, users: this.info("users"), apiKeys: this.info("apikeys"), clock, logger, ...(opts.activityIntervalMs !== undefined ? { intervalMs: opts.activityIntervalMs } : {}) });
    const mfa = new MfaStore({ store, sealer: () => this.ctx.sealer });
    const gate = { requiredForRoles: config.mfa?.requiredForRoles ?? [], records: this.records, store: mfa };
    this.authenticators = [
      apiKeyAuthenticator({ records: this.records, clock, activity: this.activity }),
      jwtAuthenticator({ records: this.records, sessions: () => this.sessions }),
      mtlsAuthenticator({ records: this.records, ...(opts.certificateIdentity ? { identify: opts.certificateIdentity } : {}) }),
    ].map((authenticator) => mfaGate(authenticator, gate));
    this.provides = { permissions: mfaEnrolmentDecider(rbacDecider(this.resolver)) };
    this.admission = [defaultRoleProtection, identityAdmission({ resolver: this.resolver, records: this.records, rbac: config.rbac })];
    const deps: AuthEndpointDeps = {
      records: this.records,
      resolver: this.resolver,
      sessions: () => this.requireSessions(),
      denylist: this.denylist,
      hasher: new PasswordHasher({ randomBytes, ...(opts.passwordParams ? { params: opts.passwordParams } : {}) }),
      passwords: new PasswordStore(store),
      minter: this.minter,
      service,
      audit: ctx.audit,
      users: this.info("users"),
      apiKeys: this.info("apikeys"),
      clock,
      maxBodyBytes: ctx.maxBodyBytes,
      mfa: { store: mfa, randomBytes },
      activity: this.activity,
    };
    const routes = authRoutes(deps);
    this.routes = [...routes, ...kubeReviewRoutes({ registry: ctx.registry, decider: this.provides.permissions, resolver: this.resolver, moduleRoutes: routes, maxBodyBytes: ctx.maxBodyBytes })];
  }

  async start(runtime: ModuleRuntime): Promise<void> {
    const { logger, store, clock } = this.ctx;
    const { config } = this.opts;
    const randomBytes = (n: number) => this.ctx.random.bytes(n);
    this.resources = runtime.resources;
    await this.records.start();
    const secret = config.jwt.secret ?? (await ensureJwtSecret({ store, randomBytes, now: toRfc3339(clock.now()), ...(this.ctx.sealer ? { sealer: this.ctx.sealer } : {}) }));
    this.sessions = new JwtSessions({ config: config.jwt, secret, clock, randomBytes });
    this.denylist.start();
    if (!config.rbac.enabled) logger.warn("[auth.rbac] enabled = false: every authenticated caller may do everything; use this only for tests");
  }

  async stop(): Promise<void> {
    this.denylist.stop();
    this.records.stop();
  }

  /** Default roles when missing; on the store's first start, User admin and ApiKey bootstrap-admin with its secret. */
  bootstrap(): Promise<BootstrapResult> {
    return ensureBootstrapAdmin({
      store: this.ctx.store,
      service: this.service(),
      roles: this.info("roles"),
      users: this.info("users"),
      apiKeys: this.info("apikeys"),
      minter: this.minter,
      clock: this.ctx.clock,
    });
  }

  private requireSessions(): JwtSessions {
    if (!this.sessions) throw new Error("the identity has not started");
    return this.sessions;
  }

  /** The server's resource service, once the module has started. */
  service(): ResourceService {
    if (!this.resources) throw new Error("the identity module has not started");
    return this.resources;
  }

  private info(plural: string): ResourceInfo {
    const info = this.ctx.registry.byPlural(plural);
    if (!info) throw new Error(`the CRD registry has no ${plural}; is crds/ complete?`);
    return info;
  }
}
