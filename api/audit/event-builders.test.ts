import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { RequestContext } from "../server/request-context.js";
import { forbiddenEvent, loginEvent, logoutEvent, presentedKeyId, unauthenticatedEvent } from "./event-builders.js";
import { sanitizeEvent } from "./redact.js";

const API_KEY = "clk_AbCdEfGhIj0123456789zyxwvutsrqponmlkjihgfedcba9876";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

const ctx = (modify: (c: RequestContext) => void = () => {}): RequestContext => {
  const c = {
    req: { method: "DELETE", headers: {}, socket: { remoteAddress: "::ffff:192.0.2.10" } } as unknown as IncomingMessage,
    res: undefined as unknown as RequestContext["res"],
    url: new URL("http://claw.invalid/apis/security.clawbernetes.com/v1/roles/ops"),
    warnings: [],
    user: { name: "alice", groups: [], authentication: { method: "apikey" as const, keyId: "ak_AbCdEfGhIj0123456789" } },
    info: { verb: "delete", isResourceRequest: true, path: "/apis/security.clawbernetes.com/v1/roles/ops", resource: "roles", name: "ops", params: {} },
  } as unknown as RequestContext;
  modify(c);
  return c;
};

describe("event builders", () => {
  const cases: { name: string; event: () => ReturnType<typeof forbiddenEvent>; want: Record<string, unknown> }[] = [
    {
      name: "names a rejected API key by its key id, never the secret",
      event: () => unauthenticatedEvent(ctx((c) => delete c.user), { credential: { secret: API_KEY, source: "bearer" }, reason: "unknown API key" }),
      want: { type: "security.violation", actor: "apikey:ak_AbCdEfGhIj0123456789", outcome: "failure", details: { status: 401, method: "DELETE", path: "/apis/security.clawbernetes.com/v1/roles/ops", reason: "unknown API key", credentialType: "apikey" } },
    },
    {
      name: "records a rejected token as anonymous without the token",
      event: () => unauthenticatedEvent(ctx((c) => delete c.user), { credential: { secret: JWT, source: "bearer" }, reason: "token expired" }),
      want: { actor: "anonymous", details: { status: 401, credentialType: "token", reason: "token expired" } },
    },
    {
      name: "records an RBAC denial as a denied security.violation with the verb and resource",
      event: () => forbiddenEvent(ctx(), { reason: "needs roles:delete" }),
      want: { type: "security.violation", actor: "alice", sourceIp: "192.0.2.10", outcome: "denied", details: { status: 403, verb: "delete", resource: "roles", authMethod: "apikey", keyId: "ak_AbCdEfGhIj0123456789" } },
    },
    {
      name: "records a failed login under the name that was tried",
      event: () => loginEvent(ctx(), { username: "mallory", outcome: "failure", reason: "bad credentials" }),
      want: { type: "auth.login", actor: "mallory", outcome: "failure", resource: { kind: "User", name: "mallory" } },
    },
    {
      name: "records a logout with the token's id",
      event: () => logoutEvent(ctx((c) => (c.user = { name: "alice", groups: [], authentication: { method: "jwt", tokenId: "jti-1" } }))),
      want: { type: "auth.logout", actor: "alice", details: { authMethod: "jwt", tokenId: "jti-1" } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const stored = sanitizeEvent(c.event(), Date.parse("2026-01-01T00:00:00Z"));
      expect(stored).toMatchObject(c.want);
      expect(JSON.stringify(stored)).not.toContain(API_KEY.slice(24));
      expect(JSON.stringify(stored)).not.toContain(JWT);
    });
  }

  it("derives a key id only from a well-formed claw API key", () => {
    expect([presentedKeyId({ secret: API_KEY, source: "x-api-key" }), presentedKeyId({ secret: "clk_short", source: "bearer" }), presentedKeyId(undefined)]).toEqual(["ak_AbCdEfGhIj0123456789", undefined, undefined]);
  });
});
