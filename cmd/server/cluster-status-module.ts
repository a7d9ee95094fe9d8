// `GET …/clusterstatus` (`claw status`), as a tiny module run-server lists last: it reads the server records,
// the store, the controller Lease, every kind and the audit head at request time. The route needs only a
// credential; each section is computed only when the caller holds that section's permission (asked of the
// pipeline's authorizer through ctx.authorize), so a caller learns nothing they could not list themselves.

import type { AuditLog } from "../../api/audit/audit-log.js";
import { AuditReader } from "../../api/audit/audit-reader.js";
import { ExportCursor } from "../../api/audit/export-cursor.js";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { isForbidden, isNotFound, serviceUnavailable } from "../../api/machinery/errors.js";
import { COORDINATION_GROUP, GROUP, VERSION, type KubeObject } from "../../api/machinery/meta.js";
import { isAction, isResource, parsePermission, type Resource } from "../../api/rbac/permissions.js";
import type { ResourceInfo } from "../../api/schema/resource-info.js";
import { sendJson } from "../../api/server/http-io.js";
import type { ModuleContext, ServerModule } from "../../api/server/module.js";
import type { RequestContext } from "../../api/server/request-context.js";
import type { ResourceService } from "../../api/server/resource-service.js";
import type { ApiKey } from "../../api/types/api-key.js";
import type { BlockRule } from "../../api/types/block-rule.js";
import type { Certificate } from "../../api/types/certificate.js";
import { clusterStatusPath, EXPIRY_WINDOW_DAYS, SECTION_PERMISSIONS, type ClusterStatus, type KindReadiness, type Section, type StoreSection } from "../../api/types/cluster-status-api.js";
import { plural as leasePlural, type Lease } from "../../api/types/lease.js";
import type { Node } from "../../api/types/node.js";
import { DEFAULT_LEASE_NAME } from "../../controllers/runtime/manager.js";
import { auditSection, blockRulesSection, controllerSection, expiringApiKeys, expiringCertificates, nodesSection, readinessOf, serversSection } from "./cluster-status.js";
import { readServerRecords, STALE_AFTER_MS } from "./server-registration.js";

export interface ClusterStatusOptions {
  /** This server's record id (server-registration.ts). */
  selfId: string;
  backend: StoreSection["backend"];
  /** The audit log, once the audit module is built; absent in a server without one. */
  auditLog: () => AuditLog | undefined;
  /** [audit.export] enabled. */
  exportEnabled: boolean;
}

type SectionName = keyof typeof SECTION_PERMISSIONS;

export function clusterStatusModule(ctx: ModuleContext, opts: ClusterStatusOptions): ServerModule {
  let resources: ResourceService | undefined;
  const service = (): ResourceService => {
    if (!resources) throw serviceUnavailable("the cluster status is not started yet", 1);
    return resources;
  };
  // Read-only: the holder name is never written.
  const cursor = new ExportCursor(ctx.store, "cluster-status", 0);
  const kinds = ctx.registry.all().filter((info) => info.group === GROUP && isResource(info.plural));
  const lease = ctx.registry.all().find((info) => info.group === COORDINATION_GROUP && info.plural === leasePlural);

  async function build(rc: RequestContext): Promise<ClusterStatus> {
    const nowMs = ctx.clock.now();
    const may = async (permission: string): Promise<boolean> => {
      const { resource, actions } = parsePermission(permission);
      const action = actions[0];
      if (action === undefined || !isAction(action)) throw new Error(`${permission} names no single action`);
      try {
        await rc.authorize({ resource, action });
        return true;
      } catch (err) {
        if (isForbidden(err)) return false;
        throw err;
      }
    };
    const section = async <T>(name: SectionName, compute: () => Promise<T>): Promise<Section<T>> =>
      (await may(SECTION_PERMISSIONS[name])) ? { permitted: true, ...(await compute()) } : { permitted: false, needs: SECTION_PERMISSIONS[name] };

    // One list per kind the caller may list, shared by the readiness table and the sections built on it.
    const lists = new Map<string, KubeObject[]>();
    const notPermitted: string[] = [];
    await Promise.all(
      kinds.map(async (info) => {
        if (await may(`${info.plural}:list`)) lists.set(info.plural, (await service().list(info)).items);
        else notPermitted.push(info.plural);
      }),
    );
    const listed = <T extends KubeObject>(plural: Resource): T[] => (lists.get(plural) ?? []) as T[];
    const readiness: KindReadiness[] = kinds.filter((info) => lists.has(info.plural)).map((info) => readinessOf(info, lists.get(info.plural)!));
    const window = { nowMs, withinDays: EXPIRY_WINDOW_DAYS };

    const [servers, store, controllers, audit] = await Promise.all([
      section("servers", async () => serversSection(await readServerRecords(ctx.store), { selfId: opts.selfId, nowMs, staleAfterMs: STALE_AFTER_MS })),
      section("store", () => storeSection(ctx, opts.backend)),
      section("controllers", async () => controllerSection(lease ? await readLease(service(), lease) : undefined, { leaseName: DEFAULT_LEASE_NAME, nowMs })),
      section("audit", async () => {
        const log = opts.auditLog();
        const bounds = log ? await new AuditReader(log.batches).bounds() : undefined;
        const held = opts.exportEnabled ? await cursor.read() : undefined;
        return auditSection({ enabled: log?.enabled ?? false, headSeq: bounds?.headSeq ?? 0, exportEnabled: opts.exportEnabled, ...(held ? { cursor: { seq: held.seq, holder: held.holder } } : {}) });
      }),
    ]);
    return {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "ClusterStatus",
      observedAt: toRfc3339(nowMs),
      servers,
      store,
      controllers,
      resources: { items: readiness, notPermitted: notPermitted.sort() },
      // The same permission as the list they are computed from, so no second question is needed.
      nodes: lists.has("nodes") ? { permitted: true, ...nodesSection(listed<Node>("nodes")) } : { permitted: false, needs: SECTION_PERMISSIONS.nodes },
      certificates: lists.has("certificates") ? { permitted: true, ...expiringCertificates(listed<Certificate>("certificates"), window) } : { permitted: false, needs: SECTION_PERMISSIONS.certificates },
      apiKeys: lists.has("apikeys") ? { permitted: true, ...expiringApiKeys(listed<ApiKey>("apikeys"), window) } : { permitted: false, needs: SECTION_PERMISSIONS.apiKeys },
      blockRules: lists.has("blockrules") ? { permitted: true, ...blockRulesSection(listed<BlockRule>("blockrules"), nowMs) } : { permitted: false, needs: SECTION_PERMISSIONS.blockRules },
      audit,
    };
  }

  return {
    name: "cluster-status",
    start: async (runtime) => {
      resources = runtime.resources;
    },
    routes: [
      {
        id: "cluster.status",
        method: "GET",
        path: clusterStatusPath,
        verb: "get",
        target: { group: GROUP, version: VERSION, resource: "clusterstatus", isResourceRequest: false },
        // Any credential: every section asks for its own permission (SECTION_PERMISSIONS) before it is computed.
        access: { kind: "authenticated" },
        cost: "expensive",
        handler: async (rc) => sendJson(rc.res, 200, await build(rc)),
      },
    ],
  };
}

/** One ping's round trip, timed here: the store answering slowly is what an operator wants to see. */
async function storeSection(ctx: ModuleContext, backend: StoreSection["backend"]): Promise<StoreSection> {
  const started = process.hrtime.bigint();
  try {
    await ctx.store.ping();
    const pingMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
    return { backend, healthy: true, pingMs, revision: await ctx.store.currentRevision() };
  } catch (err) {
    return { backend, healthy: false, error: (err as Error).message };
  }
}

async function readLease(resources: ResourceService, info: ResourceInfo): Promise<Lease | undefined> {
  try {
    return (await resources.get(info, DEFAULT_LEASE_NAME)) as Lease;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
