// Server features are modules (identity, audit, and later secrets, pki, guard, nodes). A module is a
// folder exporting one factory `(ctx: ModuleContext) => ServerModule`; it contributes authenticators,
// admission steps, routes (each with its declared access), health checks and background work. Modules
// never import each other: what they share goes through the interfaces of the module context, which a
// module may also provide (the audit module provides `audit`, identity provides `permissions`).

import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AuditEvent } from "../client/audit/event.js";
import type { Clock } from "../machinery/clock.js";
import type { ApiError } from "../machinery/errors.js";
import type { ConnectionGate, Guard } from "./gate.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import type { Store, TxnResult } from "../store/store.js";
import type { AdmissionPlugin, UserInfo } from "./admission.js";
import type { Authenticator } from "./authentication.js";
import type { PermissionDecider } from "./authorizer.js";
import type { RequestContext } from "./request-context.js";
import type { StoreWrite } from "./resource-change.js";

export type { StoreWrite };
import type { ResourceService } from "./resource-service.js";
import type { Route } from "./route-table.js";

/** The audit log as other modules and the resource service see it. */
export interface AuditSink {
  /** Throws ApiError 503 while a fail-closed log cannot be written: call before security-relevant work. */
  guard(): void;
  /** Durable before it resolves; ApiError 503 when it cannot be written and the log fails closed. */
  record(event: AuditEvent): Promise<void>;
  /** For a request that already ended: a lost entry is logged, never thrown. */
  note(event: AuditEvent): Promise<void>;
  /**
   * Applies a resource write and the audit entries its change implies in ONE store transaction: both
   * commit or neither. Concurrent writes may share a transaction; each caller's result reflects only its
   * own compares. ApiError 503 when the log cannot be written and fails closed.
   */
  commit(write: StoreWrite): Promise<TxnResult>;
}


/**
 * Seals what the store holds that must not be readable there (the JWT signing secret, private keys),
 * under the master keyring; the secrets module provides it. `name` says what it is (bound into the
 * ciphertext, so a sealed blob copied elsewhere fails to open).
 */
export interface ValueSealer {
  seal(name: string, plaintext: Uint8Array): SealedBlob;
  /** Throws when the blob was altered, copied from another name, or sealed under a key the keyring lacks. */
  open(name: string, sealed: SealedBlob): Uint8Array;
  /** Whether `sealed` is under the key that seals now (otherwise re-seal it). */
  isCurrent(sealed: SealedBlob): boolean;
}

/** A sealed blob as stored: the same shape as a Secret's spec.sealed. */
export interface SealedBlob {
  version: number;
  keyId: string;
  algorithm: string;
  nonce: string;
  ciphertext: string;
}

/** What a signed CSR gives back: the certificate, its chain, the root to trust, and when to renew. */
export interface SignedCsr {
  certificateName: string;
  serialNumber: string;
  certificatePem: string;
  /** Intermediates up to, not including, the root; may be empty. */
  chainPem: string;
  /** The root CA, PEM. */
  caPem: string;
  /** RFC 3339. */
  notAfter: string;
  /** RFC 3339: two thirds into its life, as for any certificate without renewBefore. */
  renewalTime: string;
}

/**
 * Signs certificates whose private key stays with its holder (a node agent): the pki module provides it. The
 * Certificate `certificateName` is created when absent (spec.privateKey.source CSR, issuer the root CA,
 * client and server auth) and issued or renewed with the CSR's public key; its audit entry
 * (certificates.issued or .renewed) commits with the write. Refuses, with an ApiError saying why, a CSR that
 * is unreadable, not signed by its own key, of a key type the CA does not sign, or whose subject common name
 * is not `commonName`; a Certificate of that name whose key the server holds (source Server), that names
 * another common name or organizations, or that is revoked.
 */
export interface CsrSigner {
  sign(request: {
    certificateName: string;
    commonName: string;
    organizations: readonly string[];
    /** PEM PKCS#10. */
    csrPem: string;
    /** The requester, for the audit entry. */
    user?: UserInfo;
    sourceIp?: string;
  }): Promise<SignedCsr>;
}

/** Hears how requests end: the audit module turns 401s and 403s into security events. */
export interface RequestObserver {
  failed(ctx: RequestContext, error: ApiError): Promise<void>;
}

export interface ModuleContext {
  store: Store;
  registry: ResourceRegistry;
  clock: Clock;
  logger: Logger;
  random: { bytes(n: number): Uint8Array };
  maxBodyBytes: number;
  /** Provided by the audit module; a no-op sink (plain store transactions) without one. */
  audit: AuditSink;
  /** Provided by the identity module; grants nothing without one. */
  permissions: PermissionDecider;
  /** Provided by the secrets module; absent without one (then nothing is sealed). */
  sealer?: ValueSealer;
  /** Provided by the pki module; absent without one (then nodes cannot join by CSR). */
  csrSigner?: CsrSigner;
}

/** What a module may use once the server is built. */
export interface ModuleRuntime {
  resources: ResourceService;
}

export interface ServerModule {
  name: string;
  authenticators?: readonly Authenticator[];
  admission?: readonly AdmissionPlugin[];
  routes?: readonly Route[];
  healthChecks?: Record<string, () => Promise<void>>;
  observer?: RequestObserver;
  /** The pipeline's first stage (the gateway guard): at most one module fills it. */
  guard?: Guard;
  /** The guard below HTTP: connections at accept, protocol errors, slow clients. */
  gate?: ConnectionGate;
  /** Registers the module's metrics beside the server's, for one /metrics. */
  registerMetrics?(registry: Registry): void;
  /** Interfaces this module implements for the others; assembleServer puts them in the context. */
  provides?: Partial<Pick<ModuleContext, "audit" | "permissions" | "sealer" | "csrSigner">>;
  /** I/O starts here (watches, timers, bootstrap); the constructor does none. */
  start?(runtime: ModuleRuntime): Promise<void>;
  stop?(): Promise<void>;
}

export type ModuleFactory = (ctx: ModuleContext) => ServerModule;

/** The sink of a server without an audit module: writes go straight to the store. */
export function unauditedSink(store: Store): AuditSink {
  return {
    guard: () => undefined,
    record: async () => undefined,
    note: async () => undefined,
    commit: (write) => store.txn(write.compares, write.ops),
  };
}
