// A focused imitation of the identity API for the `claw auth` tests: Users, Roles and ApiKeys (create, get,
// list, merge patch guarded by resourceVersion, delete) and the imperative endpoints of api/auth/endpoints.ts.
// It checks credentials but not permissions (tests say what to forbid); the real server has its own tests.

import type { IncomingMessage, ServerResponse } from "node:http";
import { authPaths, type AccessReview, type ApiKeySecret, type WhoAmI } from "../../../api/types/auth-api.js";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { startLoopbackServer } from "../../../api/client/testing/loopback-server.js";
import type { ApiKey } from "../../../api/types/api-key.js";

export interface FakeAuthServerOptions {
  /** Users and their passwords that may log in. */
  passwords?: Record<string, string>;
  /** An API key secret accepted as the user `admin` (or `adminUser`). */
  adminKey: string;
  adminUser?: string;
  /** RFC 3339 creation time of new objects and the base of expiry times. */
  now: string;
  /** A message to refuse a request with 403, or undefined to let it through. */
  forbid?: (req: { method: string; path: string; username: string }) => string | undefined;
  /** The answer of an access review; default: allowed for the admin, with the role that grants it. */
  review?: (spec: AccessReview["spec"], username: string) => { allowed: boolean; reason: string };
  /** Runs after a PATCH is received and before it is applied: a test changes the object here to race it. */
  beforePatch?: (plural: string, name: string) => void;
}

export interface FakeAuthServer {
  url: string;
  requests: { method: string; path: string; authorization?: string; body: string }[];
  objects: Record<"users" | "roles" | "apikeys", Map<string, KubeObject>>;
  passwords: Map<string, string>;
  /** Session tokens issued and not logged out, to their user. */
  sessions: Map<string, string>;
  /** Stores an object as the server would (a new resourceVersion). */
  put(plural: "users" | "roles" | "apikeys", obj: KubeObject): KubeObject;
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const PLURALS = ["users", "roles", "apikeys"] as const;
type Plural = (typeof PLURALS)[number];
const status = (code: number, reason: string, message: string) => ({ apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message, reason, code });

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export async function startFakeAuthServer(options: FakeAuthServerOptions): Promise<FakeAuthServer> {
  let rv = 100;
  let minted = 0;
  const objects = { users: new Map<string, KubeObject>(), roles: new Map<string, KubeObject>(), apikeys: new Map<string, KubeObject>() };
  const passwords = new Map(Object.entries(options.passwords ?? {}));
  const sessions = new Map<string, string>();
  const keySecrets = new Map<string, string>();
  const requests: FakeAuthServer["requests"] = [];
  const adminUser = options.adminUser ?? "admin";
  const nowMs = Date.parse(options.now);

  const put = (plural: Plural, obj: KubeObject): KubeObject => {
    const existing = objects[plural].get(obj.metadata.name);
    const next: KubeObject = JSON.parse(JSON.stringify(obj)) as KubeObject;
    next.metadata = { ...next.metadata, resourceVersion: String(++rv), creationTimestamp: existing?.metadata.creationTimestamp ?? options.now, generation: (existing?.metadata.generation ?? 0) + 1 };
    objects[plural].set(obj.metadata.name, next);
    return next;
  };

  const mint = (key: ApiKey): ApiKeySecret => {
    const id = String(++minted).padStart(20, "0").replace(/0/g, "x");
    const secret = `clk_${id}${"s".repeat(31)}${minted % 10}`;
    for (const [s, name] of keySecrets) if (name === key.metadata.name) keySecrets.delete(s);
    keySecrets.set(secret, key.metadata.name);
    const spec = key.spec!;
    const expiresAt = spec.expiresAt ?? (spec.duration ? new Date(nowMs + Number(spec.duration.replace(/d$/, "")) * 86_400_000).toISOString().replace(".000Z", "Z") : undefined);
    put("apikeys", { ...key, status: { ...(key.status as Obj), keyId: `ak_${id}`, phase: "Active", secretFetched: true, ...(expiresAt ? { expiresAt } : {}) } });
    return { keyId: `ak_${id}`, secret, name: key.metadata.name, displayName: spec.displayName, scopes: spec.scopes, ...(expiresAt ? { expiresAt } : {}) };
  };

  const identify = (authorization: string | undefined): { username: string; method: WhoAmI["method"]; token?: string } | undefined => {
    const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
    if (!token) return undefined;
    if (token === options.adminKey) return { username: adminUser, method: "apikey" };
    const user = sessions.get(token);
    if (user) return { username: user, method: "jwt", token };
    const keyName = keySecrets.get(token);
    const key = keyName ? (objects.apikeys.get(keyName) as ApiKey | undefined) : undefined;
    return key && !key.spec?.revoked ? { username: key.spec!.owner, method: "apikey" } : undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const send = (code: number, value: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    const parsed = body ? (JSON.parse(body) as Obj) : {};
    const issue = (username: string) => {
      const token = `eyJfake.${username}.${sessions.size + requests.length}`;
      sessions.set(token, username);
      return { token, expiresAt: "2026-01-02T01:00:00Z", maxExpiresAt: "2026-01-08T01:00:00Z", username };
    };

    if (method === "POST" && path === authPaths.login) {
      const ok = typeof parsed.username === "string" && passwords.get(parsed.username) === parsed.password;
      return ok ? send(200, issue(parsed.username as string)) : send(401, status(401, "Unauthorized", "invalid username or password"));
    }
    const who = identify(req.headers.authorization);
    if (!who) return send(401, status(401, "Unauthorized", "Unauthorized"));
    const refusal = options.forbid?.({ method, path, username: who.username });
    if (refusal) return send(403, status(403, "Forbidden", refusal));

    if (method === "POST" && path === authPaths.refresh) {
      if (who.method !== "jwt") return send(400, status(400, "BadRequest", "only a session token can be refreshed"));
      return send(200, issue(who.username));
    }
    if (method === "POST" && path === authPaths.logout) {
      if (who.token) sessions.delete(who.token);
      return send(200, {});
    }
    if (method === "GET" && path === authPaths.whoami) {
      const roles = (objects.users.get(who.username)?.spec as { roles?: string[] } | undefined)?.roles ?? (who.username === adminUser ? ["admin"] : []);
      return send(200, { username: who.username, method: who.method, roles, permissions: roles.includes("admin") ? ["*:*"] : [] } satisfies WhoAmI);
    }
    if (method === "POST" && path === authPaths.accessReview) {
      const spec = parsed.spec as AccessReview["spec"];
      const answer = options.review?.(spec, spec.user ?? who.username) ?? { allowed: who.username === adminUser, reason: who.username === adminUser ? 'granted by role "admin" (*:*)' : `missing ${spec.resource}:${spec.action}` };
      return send(201, { apiVersion: "auth.clawbernetes.com/v1", kind: "AccessReview", spec, status: answer });
    }
    const sub = /^\/apis\/security\.clawbernetes\.com\/v1\/(users|apikeys)\/([^/]+)\/(password|secret|rotate)$/.exec(path);
    if (sub && method === "POST") {
      const [, plural, rawName, action] = sub as unknown as [string, Plural, string, string];
      const name = decodeURIComponent(rawName);
      const target = objects[plural].get(name);
      if (!target) return send(404, status(404, "NotFound", `${plural}.security.clawbernetes.com "${name}" not found`));
      if (action === "password") {
        passwords.set(name, String(parsed.password));
        return send(200, {});
      }
      const key = target as ApiKey;
      if (action === "secret" && key.status?.keyId) return send(409, status(409, "AlreadyExists", `the secret of apikeys.security.clawbernetes.com "${name}" was already shown; rotate the key to get a new secret`));
      return send(200, mint(key));
    }

    const match = /^\/apis\/security\.clawbernetes\.com\/v1\/(users|roles|apikeys)(?:\/([^/]+))?$/.exec(path);
    if (!match) return send(404, status(404, "NotFound", `the server could not find the requested resource (${path})`));
    const plural = match[1] as Plural;
    const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const store = objects[plural];
    const live = name === undefined ? undefined : store.get(name);
    const notFound = () => send(404, status(404, "NotFound", `${plural}.security.clawbernetes.com "${name}" not found`));
    if (method === "GET" && name === undefined) {
      const items = [...store.values()];
      return send(200, { apiVersion: "security.clawbernetes.com/v1", kind: "List", metadata: { resourceVersion: String(rv) }, items });
    }
    if (method === "POST" && name === undefined) {
      const obj = parsed as unknown as KubeObject;
      if (store.has(obj.metadata.name)) return send(409, status(409, "AlreadyExists", `${plural}.security.clawbernetes.com "${obj.metadata.name}" already exists`));
      return send(201, put(plural, obj));
    }
    if (!live || name === undefined) return notFound();
    if (method === "GET") return send(200, live);
    if (method === "DELETE") {
      store.delete(name);
      return send(200, { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success", details: { name, kind: plural } });
    }
    if (method === "PATCH") {
      options.beforePatch?.(plural, name);
      const current = store.get(name)!;
      const wanted = (parsed.metadata as Obj | undefined)?.resourceVersion;
      if (typeof wanted === "string" && wanted !== current.metadata.resourceVersion) {
        return send(409, status(409, "Conflict", `Operation cannot be fulfilled on ${plural}.security.clawbernetes.com "${name}": the object has been modified; please apply your changes to the latest version and try again`));
      }
      const { metadata: _rv, ...rest } = parsed;
      return send(200, put(plural, mergePatch(current, rest) as KubeObject));
    }
    return send(405, status(405, "MethodNotAllowed", "method not allowed"));
  };

  const loopback = await startLoopbackServer((req, res, body) => {
    requests.push({ method: req.method ?? "GET", path: req.url ?? "/", body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    handle(req, res, body);
  });
  return {
    url: loopback.url,
    requests,
    objects,
    passwords,
    sessions,
    put,
    close: () => loopback.close(),
  };
}
