// The secrets module: Secret values sealed on every write (secret-admission.ts), released only through
// the release and reveal routes (release-endpoints.ts), and a start that refuses to serve when the
// keyring cannot open the values already stored — a wrong master key stops the server with a clear
// message instead of failing request after request.

import type { AdmissionPlugin } from "../server/admission.js";
import type { ModuleContext, ModuleRuntime, ServerModule, ValueSealer } from "../server/module.js";
import { keyringSealer } from "./keyring-sealer.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Route } from "../server/route-table.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { Secret } from "../types/secret.js";
import { checkKeyringOpens } from "./keyring-check.js";
import type { Keyring } from "./keyring.js";
import { releaseToWorkload, revealToPerson, type ReleaseDeps } from "./release-endpoints.js";
import { policyAdmission } from "./policy-admission.js";
import { secretAdmission } from "./secret-admission.js";
import { rekeySecret, rotateSecret, secretAccessReview, secretHistory, type VersionDeps } from "./version-endpoints.js";
import { DEFAULT_KEEP_VERSIONS, readAllVersions } from "./version-history.js";

export interface SecretsModuleOptions {
  keyring: Keyring;
  /** Where the keys came from, for the refusal message. */
  keySource: string;
  /** Versions kept per secret ([secrets] keep_versions); older ciphertexts are dropped. */
  keepVersions?: number;
}

/** The server refuses to start: the keyring does not open the stored values. */
export class KeyringMismatchError extends Error {
  override name = "KeyringMismatchError";
}

export class SecretsModule implements ServerModule {
  readonly name = "secrets";
  readonly admission: readonly AdmissionPlugin[];
  readonly routes: readonly Route[];
  readonly provides: { sealer: ValueSealer };
  private resources: ResourceService | undefined;
  private readonly secrets: ResourceInfo;

  constructor(
    private readonly ctx: ModuleContext,
    private readonly opts: SecretsModuleOptions,
  ) {
    this.secrets = infoOf(ctx, "secrets");
    this.provides = { sealer: keyringSealer(opts.keyring, (n) => ctx.random.bytes(n)) };
    this.admission = [
      secretAdmission({ keyring: opts.keyring, random: (n) => ctx.random.bytes(n), clock: ctx.clock, store: ctx.store, keepVersions: opts.keepVersions ?? DEFAULT_KEEP_VERSIONS }),
      // The identity module provides the decider after this module is built: read it when a write comes.
      policyAdmission(() => ctx.permissions),
    ];
    const deps: ReleaseDeps = {
      resources: () => this.service(),
      secrets: this.secrets,
      policies: infoOf(ctx, "secretpolicies"),
      keyring: opts.keyring,
      audit: ctx.audit,
      maxBodyBytes: ctx.maxBodyBytes,
    };
    const target = { group: this.secrets.group, version: this.secrets.version, resource: "secrets", isResourceRequest: true };
    const base = `/apis/${this.secrets.group}/${this.secrets.version}/secrets/{name}`;
    const versions: VersionDeps = { ...deps, store: ctx.store, random: (n) => ctx.random.bytes(n) };
    this.routes = [
      { id: "secrets.rotate", method: "POST", path: `${base}/rotate`, verb: "create", target: { ...target, subresource: "rotate" }, access: { kind: "permission", resource: "secrets", action: "update" }, cost: "write", handler: (rc) => rotateSecret(rc, versions) },
      { id: "secrets.history", method: "GET", path: `${base}/history`, verb: "get", target: { ...target, subresource: "history" }, access: { kind: "permission", resource: "secrets", action: "read" }, cost: "read", handler: (rc) => secretHistory(rc, versions) },
      { id: "secrets.rekey", method: "POST", path: `${base}/rekey`, verb: "create", target: { ...target, subresource: "rekey" }, access: { kind: "permission", resource: "secrets", action: "admin" }, cost: "write", handler: (rc) => rekeySecret(rc, versions) },
      { id: "secrets.accessreview", method: "POST", path: `${base}/accessreview`, verb: "create", target: { ...target, subresource: "accessreview" }, access: { kind: "permission", resource: "secrets", action: "read" }, cost: "read", handler: (rc) => secretAccessReview(rc, versions) },
      { id: "secrets.release", method: "POST", path: `${base}/release`, verb: "create", target: { ...target, subresource: "release" }, access: { kind: "permission", resource: "workloads", action: "execute" }, cost: "read", refusal: { type: "secrets.accessed", kind: "Secret" }, handler: (rc) => releaseToWorkload(rc, deps) },
      { id: "secrets.reveal", method: "POST", path: `${base}/reveal`, verb: "create", target: { ...target, subresource: "reveal" }, access: { kind: "permission", resource: "secrets", action: "admin" }, cost: "read", refusal: { type: "secrets.accessed", kind: "Secret" }, handler: (rc) => revealToPerson(rc, deps) },
    ];
  }

  async start(runtime: ModuleRuntime): Promise<void> {
    this.resources = runtime.resources;
    const stored = (await runtime.resources.list(this.secrets)).items as Secret[];
    // A key id the keyring lacks means the wrong master key: refuse to start. A value that fails to open
    // under a key it holds was altered in the store: that one secret's release fails (audited), the rest serve.
    const current = stored.flatMap((s) => (s.spec?.sealed ? [{ target: { name: s.metadata.name, version: s.spec.sealed.version }, sealed: s.spec.sealed }] : []));
    // Kept versions count too: a rekey is finished only when none is left under a retired key.
    const names = new Map(stored.map((s) => [s.metadata.uid ?? "", s.metadata.name]));
    const kept = (await readAllVersions(this.ctx.store)).flatMap(({ uid, record }) => {
      const name = names.get(uid);
      return name ? [{ target: { name, version: record.version }, sealed: record.sealed }] : [];
    });
    const samples = [...current, ...kept].filter((s) => !this.opts.keyring.has(s.sealed.keyId));
    const check = checkKeyringOpens(samples.slice(0, 1), { keyring: this.opts.keyring, keySource: this.opts.keySource });
    if (!check.ok) throw new KeyringMismatchError(check.message);
    if (stored.some((s) => s.spec?.sealed)) this.ctx.logger.info({ secrets: stored.length, keys: this.opts.keyring.ids }, "the master key opens the stored secrets");
  }

  private service(): ResourceService {
    if (!this.resources) throw new Error("the secrets module has not started");
    return this.resources;
  }
}

function infoOf(ctx: ModuleContext, plural: string): ResourceInfo {
  const info = ctx.registry.byPlural(plural);
  if (!info) throw new Error(`the CRD registry has no ${plural}; is crds/ complete?`);
  return info;
}
