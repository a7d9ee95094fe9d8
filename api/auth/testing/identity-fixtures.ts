// Builders for identity tests against the real server (test/envtest.ts): roles, users, API keys with
// their minted secrets, passwords and sessions, all made through the API as the bootstrap admin.

import type { ApiKeySecret, SessionToken } from "../../types/auth-api.js";
import { authPaths, SECURITY_API } from "../../types/auth-api.js";

export type Body = Record<string, any>;

/** What the builders need of test/envtest.ts's EnvTest (not imported, so the build leaves test/ out). */
export interface EnvTest {
  url: string;
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}
export const json = async (r: Response): Promise<Body> => (await r.json()) as Body;

export interface Caller {
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

/** Requests with a bearer credential (an API key or a session token), or none. */
export function as(env: EnvTest, credential: string | undefined, header: "bearer" | "x-api-key" = "bearer"): Caller {
  return {
    request(path, init = {}) {
      const { json: body, headers, ...rest } = init;
      const auth: Record<string, string> = credential === undefined ? {} : header === "bearer" ? { Authorization: `Bearer ${credential}` } : { "X-API-Key": credential };
      return fetch(env.url + path, {
        ...rest,
        headers: { ...auth, ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...(headers as Record<string, string>) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
  };
}

const object = (kind: string, name: string, spec: Body) => ({ apiVersion: "security.clawbernetes.com/v1", kind, metadata: { name }, spec });
export const roleObject = (name: string, permissions: string[]) => object("Role", name, { permissions });
export const userObject = (name: string, roles: string[], extra: Body = {}) => object("User", name, { roles, ...extra });
export const apiKeyObject = (name: string, owner: string, scopes: string[], extra: Body = {}) => object("ApiKey", name, { displayName: name, owner, scopes, ...extra });

async function ok(r: Response, what: string): Promise<Body> {
  const body = await json(r);
  if (!r.ok) throw new Error(`${what}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

export async function createRole(env: EnvTest, name: string, permissions: string[]): Promise<Body> {
  return ok(await env.request(`${SECURITY_API}/roles`, { method: "POST", json: roleObject(name, permissions) }), `create role ${name}`);
}

export async function createUser(env: EnvTest, name: string, roles: string[], extra: Body = {}): Promise<Body> {
  return ok(await env.request(`${SECURITY_API}/users`, { method: "POST", json: userObject(name, roles, extra) }), `create user ${name}`);
}

export async function createApiKey(env: EnvTest, name: string, owner: string, scopes: string[], extra: Body = {}): Promise<Body> {
  return ok(await env.request(`${SECURITY_API}/apikeys`, { method: "POST", json: apiKeyObject(name, owner, scopes, extra) }), `create apikey ${name}`);
}

/** Mints a key's secret as the admin. */
export async function mint(env: EnvTest, name: string): Promise<ApiKeySecret> {
  return (await ok(await env.request(authPaths.apiKeySecret(name), { method: "POST" }), `mint ${name}`)) as ApiKeySecret;
}

let seq = 0;

/** A user with these roles (created when missing) and a minted API key of theirs with these scopes. */
export async function keyFor(env: EnvTest, opts: { user: string; roles?: string[]; scopes?: string[]; extra?: Body }): Promise<ApiKeySecret> {
  const existing = await env.request(`${SECURITY_API}/users/${opts.user}`);
  if (existing.status === 404) await createUser(env, opts.user, opts.roles ?? []);
  const name = `${opts.user}-key-${++seq}`;
  await createApiKey(env, name, opts.user, opts.scopes ?? ["*:*"], opts.extra);
  return mint(env, name);
}

export async function setPasswordAsAdmin(env: EnvTest, user: string, password: string): Promise<void> {
  await ok(await env.request(authPaths.userPassword(user), { method: "POST", json: { password } }), `set password of ${user}`);
}

export async function login(env: EnvTest, username: string, password: string, expiryHours?: number): Promise<SessionToken> {
  const r = await as(env, undefined).request(authPaths.login, { method: "POST", json: { username, password, ...(expiryHours !== undefined ? { expiryHours } : {}) } });
  return (await ok(r, `login ${username}`)) as SessionToken;
}

/** A user with these roles, a password, and a session token. */
export async function sessionFor(env: EnvTest, opts: { user: string; roles?: string[]; password?: string }): Promise<SessionToken> {
  const password = opts.password ?? "correct horse battery staple";
  await createUser(env, opts.user, opts.roles ?? []);
  await setPasswordAsAdmin(env, opts.user, password);
  return login(env, opts.user, password);
}
