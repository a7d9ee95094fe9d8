// The controller manager as `claw server` runs it in-process and `claw controller-manager` runs it alone:
// the controllers, listed explicitly; the manager with leader election; and, in-process, the credential
// the manager uses to reach its own server.

import { createHash, timingSafeEqual } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { AUTHENTICATED_GROUP } from "../../api/auth/api-key-authenticator.js";
import type { Credential } from "../../api/client/credential.js";
import { RestClient, type TlsOptions } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { unauthorized } from "../../api/machinery/errors.js";
import type { UserInfo } from "../../api/server/admission.js";
import type { Authenticator } from "../../api/server/authentication.js";
import type { SystemRule } from "../../api/server/authorizer.js";
import { certificateFacts } from "../../api/pki/certificate-facts.js";
import { apiKeysController } from "../../controllers/apikeys/apikeys-controller.js";
import { inactiveApiKeysController } from "../../controllers/apikeys/inactive-apikeys-controller.js";
import { blockRulesController } from "../../controllers/blockrules/blockrules-controller.js";
import { certificatesIssuingController } from "../../controllers/certificates/issuing-controller.js";
import { certificatesReadinessController } from "../../controllers/certificates/readiness-controller.js";
import { certificatesTriggerController } from "../../controllers/certificates/trigger-controller.js";
import { rolesController } from "../../controllers/roles/roles-controller.js";
import { Manager, type ControllerFactory } from "../../controllers/runtime/manager.js";
import { secretPoliciesController } from "../../controllers/secretpolicies/secretpolicies-controller.js";
import { secretsController } from "../../controllers/secrets/secrets-controller.js";
import { inactiveUsersController } from "../../controllers/users/inactive-users-controller.js";
import { usersController } from "../../controllers/users/users-controller.js";

/** Every controller claw runs. The certificates controllers read issued certificates with the PKI's reader. */
export const CONTROLLERS: readonly ControllerFactory[] = [
  rolesController,
  usersController,
  apiKeysController,
  secretsController,
  secretPoliciesController,
  blockRulesController,
  certificatesTriggerController({ readCertificate: certificateFacts }),
  certificatesIssuingController,
  certificatesReadinessController({ readCertificate: certificateFacts }),
];

/** What the inactive-credentials controllers need beyond CONTROLLER_RULES: spec.disabled and spec.revoked. */
export const INACTIVE_CREDENTIALS_RULES: readonly SystemRule[] = [{ resources: ["users", "apikeys"], verbs: ["patch"] }];

export interface ControllerSet {
  controllers: readonly ControllerFactory[];
  rules: readonly SystemRule[];
}

/** CONTROLLERS and their rules, plus the inactive-credentials controllers when [auth] disable_inactive_after_days is set. */
export function controllerSetFor(auth: { disableInactiveAfterDays?: number }): ControllerSet {
  const days = auth.disableInactiveAfterDays;
  if (days === undefined) return { controllers: CONTROLLERS, rules: CONTROLLER_RULES };
  return { controllers: [...CONTROLLERS, inactiveUsersController({ days }), inactiveApiKeysController({ days })], rules: [...CONTROLLER_RULES, ...INACTIVE_CREDENTIALS_RULES] };
}

export interface StartControllersOptions {
  /** The API server's URL. */
  server: string;
  credential: Credential;
  tls?: TlsOptions;
  clock: Clock;
  logger: Logger;
  /** Where the runtime's metrics go; in-process, the API server's registry (one /metrics). */
  registry?: Registry;
  /** This manager's name in the Lease, unique among managers. */
  identity: string;
  /** Default true; off only when no other manager can run against the same store. */
  leaderElection?: boolean;
  controllers?: readonly ControllerFactory[];
  /** Reconciles each controller runs at once ([controllers] workers, --workers); default each controller's (2). */
  workers?: number;
}

export interface RunningControllers {
  manager: Manager;
  /** Stops the controllers, releases the lease, closes the connections. */
  stop(): Promise<void>;
}

export function startControllers(opts: StartControllersOptions): RunningControllers {
  // No client-level retry of a 503: a reconcile that fails is retried by its workqueue with backoff, and the lease
  // client must see a failed renewal at once; a retry inside the call would hold a worker, and the lease, for seconds.
  const client = new RestClient({ server: opts.server, credential: opts.credential, userAgent: "claw-controller-manager", unavailableRetries: 0, ...(opts.tls ? { tls: opts.tls } : {}) });
  const logger = opts.logger.child({ component: "controller-manager" });
  const manager = new Manager({
    client,
    clock: opts.clock,
    logger,
    controllers: opts.controllers ?? CONTROLLERS,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.leaderElection === false ? {} : { leaderElection: { identity: opts.identity } }),
  });
  manager.start();
  logger.info({ identity: opts.identity, server: opts.server, leaderElection: opts.leaderElection !== false, ...(opts.workers !== undefined ? { workers: opts.workers } : {}) }, "controller manager started; waiting for the lease");
  return {
    manager,
    async stop() {
      await manager.stop();
      await client.close();
    },
  };
}

/** A manager's name in the Lease: the host name and a random suffix, so two managers on a host differ. */
export const managerIdentity = (randomBytes: (n: number) => Uint8Array): string => `${hostname()}_${Buffer.from(randomBytes(6)).toString("base64url")}`;

const CREDENTIAL_PREFIX = "claw-inprocess_";

export interface InProcessCredential {
  /** Goes first in the server's chain: it answers only for its own secret. */
  authenticator: Authenticator;
  credential: Credential;
}

/** The in-process controllers' own identity: not a User, so no one can disable or delete it. */
export const CONTROLLER_IDENTITY = "system:controller-manager";

/** Exactly what the controllers read and write: their kinds, those kinds' status, and their Lease. */
export const CONTROLLER_RULES: readonly SystemRule[] = [
  { resources: ["roles", "users", "apikeys", "secrets", "secretpolicies", "blockrules", "certificates", "leases"], verbs: ["get", "list", "watch"] },
  { resources: ["roles/status", "users/status", "apikeys/status", "secrets/status", "secretpolicies/status", "blockrules/status", "certificates/status"], verbs: ["get", "update", "patch"] },
  // An expired BlockRule is deleted after its grace period (controllers/blockrules).
  { resources: ["blockrules"], verbs: ["delete"] },
  { resources: ["secrets/history"], verbs: ["get"] },
  // Automatic rotation makes a new generated version; the controllers never read a value.
  { resources: ["secrets/rotate"], verbs: ["create"] },
  // Issuing signs on the server (the CA keys never leave it); the controllers never read a private key.
  { resources: ["certificates/issue"], verbs: ["create"] },
  { resources: ["leases"], verbs: ["create", "update", "patch"] },
];

/**
 * The credential the in-process manager reaches its own server with: a random secret made at start, held
 * only in memory (gone when the process ends, so it works on restart and on every server sharing a store,
 * where the bootstrap secret is not known) and checked in constant time. It authenticates the system
 * identity `system:controller-manager`, authorized by CONTROLLER_RULES alone.
 */
export function inProcessCredential(opts: { randomBytes: (n: number) => Uint8Array; rules?: readonly SystemRule[] }): InProcessCredential {
  const secret = `${CREDENTIAL_PREFIX}${Buffer.from(opts.randomBytes(32)).toString("base64url")}`;
  const digest = createHash("sha256").update(secret).digest();
  const user: UserInfo = { name: CONTROLLER_IDENTITY, groups: [AUTHENTICATED_GROUP, CONTROLLER_IDENTITY], system: { rules: opts.rules ?? CONTROLLER_RULES } };
  return {
    credential: { type: "token", value: secret },
    authenticator: {
      name: "in-process-controller-manager",
      async authenticate(credential) {
        if (!credential?.secret.startsWith(CREDENTIAL_PREFIX)) return undefined;
        const presented = createHash("sha256").update(credential.secret).digest();
        if (timingSafeEqual(presented, digest)) return user;
        throw unauthorized("Unauthorized: the in-process controller credential is not valid (it lives only as long as the server process)");
      },
    },
  };
}

export interface InProcessControllers {
  /** Put these first in the server's authenticator chain (empty when the controllers are off). */
  authenticators: readonly Authenticator[];
  /** Starts the manager against the server once it listens; does nothing when the controllers are off. */
  start(opts: { server: string; tls: TlsOptions; clock: Clock; logger: Logger; registry: Registry; identity?: string }): void;
  stop(): Promise<void>;
}

/** What `claw server` adds for its in-process controller manager: an authenticator, then a manager. */
export function inProcessControllers(opts: { enabled: boolean; randomBytes: (n: number) => Uint8Array; set?: ControllerSet; workers?: number }): InProcessControllers {
  const access = opts.enabled ? inProcessCredential({ randomBytes: opts.randomBytes, ...(opts.set ? { rules: opts.set.rules } : {}) }) : undefined;
  let running: RunningControllers | undefined;
  return {
    authenticators: access ? [access.authenticator] : [],
    start(args) {
      if (!access || running) return;
      running = startControllers({ ...args, credential: access.credential, identity: args.identity ?? managerIdentity(opts.randomBytes), ...(opts.set ? { controllers: opts.set.controllers } : {}), ...(opts.workers !== undefined ? { workers: opts.workers } : {}) });
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
}
