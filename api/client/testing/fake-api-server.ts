// A tiny in-memory imitation of the claw API server for client tests: discovery, CRUD, apply, Table, watch.
// Only the behaviour the client relies on; the real server has its own envtest-style tests.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { StatusCause } from "../../machinery/errors.js";
import type { KubeObject } from "../../machinery/meta.js";
import { startLoopbackServer } from "./loopback-server.js";

export interface FakeKind {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  /** Extra printer columns after Name: [name, type, jsonPath-ish getter]. */
  columns: { name: string; type: string; priority?: number; cell: (obj: KubeObject) => unknown }[];
}

export interface FakeApiServerOptions {
  kinds: FakeKind[];
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** `verb plural` pairs answered with 403, e.g. `delete roles`. */
  forbidden?: string[];
  validate?: (obj: KubeObject) => StatusCause[];
  /** Fixed creationTimestamp for new objects. */
  now?: string;
  /** Answer Table requests with plain JSON, like a server that cannot make tables. */
  noTables?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

interface StoredEvent {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  plural: string;
  object: KubeObject;
}

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  objects: Map<string, Map<string, KubeObject>>;
  /** Stores an object as the server would (new resourceVersion), notifying watchers. */
  put(plural: string, obj: KubeObject): KubeObject;
  remove(plural: string, name: string): void;
  close(): Promise<void>;
}

const GV = "security.clawbernetes.com/v1";
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const status = (code: number, reason: string, message: string, details?: unknown) => ({
  apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message, reason, code, ...(details ? { details } : {}),
});

export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
  let rv = 1;
  const objects = new Map<string, Map<string, KubeObject>>(options.kinds.map((k) => [k.plural, new Map()]));
  const history: StoredEvent[] = [];
  const watchers = new Set<{ plural: string; table: boolean; res: ServerResponse }>();
  const requests: RecordedRequest[] = [];
  const kindOf = (plural: string) => options.kinds.find((k) => k.plural === plural);

  const tableOf = (kind: FakeKind, items: KubeObject[], includeObject: boolean) => ({
    kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: String(rv) },
    columnDefinitions: [{ name: "Name", type: "string", format: "name" }, ...kind.columns.map((c) => ({ name: c.name, type: c.type, priority: c.priority ?? 0 }))],
    rows: items.map((o) => ({ cells: [o.metadata.name, ...kind.columns.map((c) => c.cell(o))], object: includeObject ? o : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata } })),
  });

  const record = (type: StoredEvent["type"], plural: string, object: KubeObject) => {
    history.push({ rv, type, plural, object: clone(object) });
    for (const w of watchers) if (w.plural === plural) writeEvent(w, type, object);
  };
  const writeEvent = (w: { plural: string; table: boolean; res: ServerResponse }, type: string, object: KubeObject) => {
    const kind = kindOf(w.plural)!;
    w.res.write(JSON.stringify({ type, object: w.table ? tableOf(kind, [object], true) : object }) + "\n");
  };

  const put = (plural: string, obj: KubeObject): KubeObject => {
    const store = objects.get(plural)!;
    const existing = store.get(obj.metadata.name);
    rv++;
    const next = clone(obj);
    next.metadata = {
      ...next.metadata,
      uid: existing?.metadata.uid ?? `uid-${obj.metadata.name}`,
      resourceVersion: String(rv),
      generation: (existing?.metadata.generation ?? 0) + 1,
      creationTimestamp: existing?.metadata.creationTimestamp ?? options.now ?? new Date().toISOString(),
    };
    store.set(obj.metadata.name, next);
    record(existing ? "MODIFIED" : "ADDED", plural, next);
    return next;
  };
  const remove = (plural: string, name: string) => {
    const obj = objects.get(plural)!.get(name);
    if (!obj) return;
    objects.get(plural)!.delete(name);
    rv++;
    record("DELETED", plural, { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const send = (code: number, value: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(401, status(401, "Unauthorized", "Unauthorized"));
    }
    if (url.pathname === "/version") return send(200, { major: "0", minor: "1", gitVersion: "v0.1.0-fake" });
    if (url.pathname === `/apis/${GV}`) {
      return send(200, {
        kind: "APIResourceList", apiVersion: "v1", groupVersion: GV,
        resources: options.kinds.flatMap((k) => [
          { name: k.plural, singularName: k.singular, namespaced: false, kind: k.kind, verbs: ["get", "list", "watch", "create", "update", "patch", "delete"], shortNames: k.shortNames },
          { name: `${k.plural}/status`, singularName: "", namespaced: false, kind: k.kind, verbs: ["get", "update", "patch"] },
        ]),
      });
    }
    const match = /^\/apis\/security\.clawbernetes\.com\/v1\/([^/]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(url.pathname);
    const kind = match ? kindOf(match[1]!) : undefined;
    if (!match || !kind) return send(404, status(404, "NotFound", `the server could not find the requested resource (${url.pathname})`));
    const plural = kind.plural;
    const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const verb = { GET: name ? "get" : url.searchParams.get("watch") ? "watch" : "list", POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete" }[req.method ?? "GET"] ?? "get";
    if (options.forbidden?.includes(`${verb} ${plural}`)) {
      return send(403, status(403, "Forbidden", `user "tester" cannot ${verb} resource "${plural}"`));
    }
    const store = objects.get(plural)!;
    const asTable = (req.headers.accept ?? "").includes("as=Table") && !options.noTables;
    const notFound = () => send(404, status(404, "NotFound", `${plural}.security.clawbernetes.com "${name}" not found`, { name, group: "security.clawbernetes.com", kind: plural }));
    const invalid = (obj: KubeObject) => {
      const causes = options.validate?.(obj) ?? [];
      if (causes.length === 0) return false;
      send(422, status(422, "Invalid", `${kind.kind}.security.clawbernetes.com "${obj.metadata.name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`, { name: obj.metadata.name, kind: plural, causes }));
      return true;
    };

    if (req.method === "GET" && url.searchParams.get("watch") === "true") {
      const from = Number(url.searchParams.get("resourceVersion") ?? rv);
      res.writeHead(200, { "content-type": "application/json" });
      const watcher = { plural, table: asTable, res };
      for (const e of history) if (e.rv > from && e.plural === plural) writeEvent(watcher, e.type, e.object);
      watchers.add(watcher);
      res.on("close", () => watchers.delete(watcher));
      return;
    }
    if (req.method === "GET" && name === undefined) {
      const selector = url.searchParams.get("labelSelector");
      const items = [...store.values()].filter((o) => matchesSelector(o, selector)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      if (asTable) return send(200, tableOf(kind, items, url.searchParams.get("includeObject") === "Object"));
      return send(200, { apiVersion: GV, kind: `${kind.kind}List`, metadata: { resourceVersion: String(rv) }, items });
    }
    if (name === undefined && req.method !== "POST") return send(405, status(405, "MethodNotAllowed", "method not allowed"));
    const existing = name === undefined ? undefined : store.get(name);
    const parsed = body ? (JSON.parse(body) as KubeObject) : undefined;
    switch (req.method) {
      case "GET":
        if (!existing) return notFound();
        return send(200, asTable ? tableOf(kind, [existing], false) : existing);
      case "POST":
        if (!parsed) return send(400, status(400, "BadRequest", "no body"));
        if (store.has(parsed.metadata.name)) return send(409, status(409, "AlreadyExists", `${plural}.security.clawbernetes.com "${parsed.metadata.name}" already exists`));
        if (invalid(parsed)) return;
        return send(201, put(plural, parsed));
      case "PUT":
        if (!existing || !parsed) return notFound();
        if (parsed.metadata.resourceVersion && parsed.metadata.resourceVersion !== existing.metadata.resourceVersion) {
          return send(409, status(409, "Conflict", `Operation cannot be fulfilled on ${plural}.security.clawbernetes.com "${name}": the object has been modified; please apply your changes to the latest version and try again`));
        }
        if (match[3] === "status") return send(200, put(plural, { ...existing, status: parsed.status }));
        if (invalid(parsed)) return;
        return send(200, put(plural, { ...parsed, status: existing.status }));
      case "PATCH": {
        if (!parsed) return send(400, status(400, "BadRequest", "no body"));
        const merged: KubeObject = existing
          ? { ...existing, ...parsed, metadata: { ...existing.metadata, ...parsed.metadata, labels: parsed.metadata?.labels ?? existing.metadata.labels } }
          : parsed;
        if (invalid(merged)) return;
        if (!existing) return send(201, put(plural, merged));
        const same = JSON.stringify(merged.spec) === JSON.stringify(existing.spec) && JSON.stringify(merged.metadata.labels) === JSON.stringify(existing.metadata.labels);
        return send(200, same ? existing : put(plural, merged));
      }
      case "DELETE":
        if (!existing) return notFound();
        remove(plural, name!);
        return send(200, { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success", details: { name, kind: plural } });
      default:
        return send(405, status(405, "MethodNotAllowed", "method not allowed"));
    }
  };

  const loopback = await startLoopbackServer((req, res, body) => {
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body });
    handle(req, res, body);
  });
  return {
    url: loopback.url,
    requests,
    objects,
    put,
    remove,
    close: async () => {
      for (const w of watchers) w.res.destroy();
      await loopback.close();
    },
  };
}

function matchesSelector(obj: KubeObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return obj.metadata.labels?.[key!.trim()] === value?.trim();
  });
}

/** Role and User, the two kinds most client tests need. */
export const fakeKinds: FakeKind[] = [
  {
    kind: "Role", plural: "roles", singular: "role", shortNames: ["rl"],
    columns: [
      { name: "Description", type: "string", cell: (o) => (o.spec as { description?: string } | undefined)?.description ?? null },
      { name: "Age", type: "date", cell: (o) => o.metadata.creationTimestamp },
      { name: "Permissions", type: "integer", priority: 1, cell: (o) => ((o.spec as { permissions?: string[] } | undefined)?.permissions ?? []).length },
    ],
  },
  {
    kind: "User", plural: "users", singular: "user", shortNames: ["usr"],
    columns: [
      { name: "Email", type: "string", cell: (o) => (o.spec as { email?: string } | undefined)?.email ?? null },
      { name: "Age", type: "date", cell: (o) => o.metadata.creationTimestamp },
    ],
  },
];
