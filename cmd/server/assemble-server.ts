// assembleServer: store → modules → resource service → API server, in that order, for `claw server` and
// for the tests (test/envtest.ts) alike. Modules are listed explicitly by the caller; each may provide
// an interface of the module context (audit, permissions) to the modules after it and to the pipeline.

import pino, { type Logger } from "pino";
import type { Clock } from "../../api/machinery/clock.js";
import type { ResourceRegistry } from "../../api/schema/resource-info.js";
import { createValidator } from "../../api/schema/validator.js";
import { ApiServer, type Guard } from "../../api/server/api-server.js";
import type { Authenticator } from "../../api/server/authentication.js";
import { denyAll } from "../../api/server/authorizer.js";
import { DEFAULT_MAX_BODY_BYTES } from "../../api/server/http-io.js";
import { unauditedSink, type ModuleContext, type ModuleFactory, type ServerModule } from "../../api/server/module.js";
import type { Store } from "../../api/store/store.js";
import { versionInfo } from "./version.js";

export interface AssembleOptions {
  store: Store;
  registry: ResourceRegistry;
  clock: Clock;
  logger?: Logger;
  random: { bytes(n: number): Uint8Array };
  /** In order: a module sees what the ones before it provide. */
  modules: readonly ModuleFactory[];
  /** Authenticators ahead of the modules' (the in-process controllers' credential). */
  authenticators?: readonly Authenticator[];
  guard?: Guard;
  maxBodyBytes?: number;
  bookmarkIntervalMs?: number;
  maxWatchesPerIdentity?: number;
}

export interface AssembledServer {
  server: ApiServer;
  context: ModuleContext;
  modules: readonly ServerModule[];
  /** Starts every module in order (I/O begins here); the server listens separately. */
  startModules(): Promise<void>;
  /** Stops the server, then the modules in reverse order. */
  stop(): Promise<void>;
}

export function assembleServer(opts: AssembleOptions): AssembledServer {
  const logger = opts.logger ?? pino({ level: "silent" });
  const context: ModuleContext = {
    store: opts.store,
    registry: opts.registry,
    clock: opts.clock,
    logger,
    random: opts.random,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    audit: unauditedSink(opts.store),
    permissions: denyAll,
  };
  const modules: ServerModule[] = [];
  for (const factory of opts.modules) {
    const module = factory(context);
    Object.assign(context, module.provides ?? {});
    modules.push(module);
  }
  const guards = modules.filter((m) => m.guard || m.gate);
  if (guards.length > 1) throw new Error(`only one module may guard the pipeline, not ${guards.map((m) => m.name).join(" and ")}`);
  const guard = opts.guard ?? guards[0]?.guard;
  const gate = guards[0]?.gate;
  const healthChecks = Object.assign({}, ...modules.map((m) => m.healthChecks ?? {})) as Record<string, () => Promise<void>>;
  const server = new ApiServer({
    store: opts.store,
    registry: opts.registry,
    validator: createValidator(opts.registry),
    clock: opts.clock,
    logger,
    authenticators: [...(opts.authenticators ?? []), ...modules.flatMap((m) => m.authenticators ?? [])],
    permissions: context.permissions,
    admission: modules.flatMap((m) => m.admission ?? []),
    routes: modules.flatMap((m) => m.routes ?? []),
    audit: context.audit,
    observers: modules.flatMap((m) => (m.observer ? [m.observer] : [])),
    healthChecks,
    version: versionInfo(),
    maxBodyBytes: context.maxBodyBytes,
    ...(guard ? { guard } : {}),
    ...(gate ? { gate } : {}),
    ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
    ...(opts.maxWatchesPerIdentity ? { maxWatchesPerIdentity: opts.maxWatchesPerIdentity } : {}),
  });
  for (const module of modules) module.registerMetrics?.(server.metrics.registry);
  let started: ServerModule[] = [];
  return {
    server,
    context,
    modules,
    async startModules() {
      for (const module of modules) {
        await module.start?.({ resources: server.service });
        started.push(module);
      }
    },
    async stop() {
      await server.stop();
      for (const module of [...started].reverse()) await module.stop?.();
      started = [];
    },
  };
}
