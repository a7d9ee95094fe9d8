import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../api/machinery/meta.js";
import type { ApiKey } from "../../../api/types/api-key.js";
import { ExitCode } from "../exit-codes.js";
import { startAuthFixture, type AuthFixture } from "../testing/auth-fixture.js";
import { apiKeyState, parseExpires } from "./auth-apikey-command.js";

let fx: AuthFixture;
beforeEach(async () => {
  fx = await startAuthFixture();
});
afterEach(() => fx.dispose());

const key = (name: string, spec: Partial<ApiKey["spec"]> = {}, status: ApiKey["status"] = {}): KubeObject =>
  ({ apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name }, spec: { displayName: name, owner: "alice", scopes: ["nodes:read"], ...spec }, status }) as KubeObject;
const create = ["auth", "apikey", "create", "--name", "CI/CD Pipeline", "--scopes", "workloads:*,nodes:read", "--expires", "90d"];

describe("claw auth apikey create", () => {
  it("creates ci-cd-pipeline owned by the caller and prints the guide's box once", async () => {
    const run = await fx.claw.run(create);
    expect(run.code).toBe(ExitCode.Ok);
    const stored = fx.server.objects.apikeys.get("ci-cd-pipeline") as ApiKey;
    expect(stored.spec).toEqual({ displayName: "CI/CD Pipeline", owner: "admin", scopes: ["workloads:*", "nodes:read"], duration: "90d" });
    const keyId = stored.status!.keyId!;
    expect(run.stdout).toMatch(
      new RegExp(
        [
          "^API Key created successfully",
          "═{64}",
          `Key ID:     ${keyId}`,
          `Secret:     clk_${keyId.slice(3)}\\S+  ← SAVE THIS!`,
          "Name:       CI/CD Pipeline",
          "Scopes:     workloads:\\*, nodes:read",
          "Expires:    2026-04-01T00:55:00Z",
          "═{64}",
          "WARNING: The secret will not be shown again!\n$",
        ].join("\n"),
      ),
    );
    expect(fx.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /apis/auth.clawbernetes.com/v1/whoami",
      "POST /apis/security.clawbernetes.com/v1/apikeys?fieldManager=claw",
      "POST /apis/security.clawbernetes.com/v1/apikeys/ci-cd-pipeline/secret",
    ]);
  });

  it("adds a suffix when the name is taken, and takes --owner as given", async () => {
    fx.server.put("apikeys", key("ci-cd-pipeline"));
    fx.server.put("apikeys", key("ci-cd-pipeline-2"));
    const run = await fx.claw.run([...create, "--owner", "alice"]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(fx.server.objects.apikeys.get("ci-cd-pipeline-3")?.spec).toMatchObject({ owner: "alice", displayName: "CI/CD Pipeline" });
    expect(fx.server.requests.some((r) => r.path.endsWith("/whoami"))).toBe(false);
  });

  it("asks for --owner when the caller is not a User", async () => {
    const bootstrap = await startAuthFixture({ adminUser: "system:bootstrap-admin" });
    try {
      const run = await bootstrap.claw.run(create);
      expect(run.code).toBe(ExitCode.Usage);
      expect(run.stderr).toContain("you are authenticated as system:bootstrap-admin, which is not a User and cannot own an API key; say who owns it with --owner USER");
      expect(bootstrap.server.objects.apikeys.size).toBe(0);
    } finally {
      await bootstrap.dispose();
    }
  });

  it("says how to get the secret later when showing it failed", async () => {
    const refusing = await startAuthFixture({ forbid: ({ path }) => (path.endsWith("/secret") ? "missing apikeys:admin" : undefined) });
    try {
      const run = await refusing.claw.run(create);
      expect(run.code).toBe(ExitCode.Forbidden);
      expect(run.stderr).toContain('Error from server (Forbidden) getting the secret of the new apikey "ci-cd-pipeline": missing apikeys:admin');
      expect(run.stderr).toContain("its owner can fetch it once with 'claw auth apikey secret ci-cd-pipeline'");
    } finally {
      await refusing.dispose();
    }
  });
});

describe("claw auth apikey list, revoke, rotate", () => {
  beforeEach(() => {
    fx.server.put("apikeys", key("ci-cd-pipeline", { displayName: "CI/CD Pipeline", scopes: ["workloads:*", "nodes:read"] }, { keyId: "ak_7x8Kj2mNp3Qr5tWv9yBc", phase: "Active", expiresAt: "2026-05-06T08:00:00Z" }));
    fx.server.put("apikeys", key("old", {}, { keyId: "ak_oldoldoldoldoldoldo", phase: "Active", expiresAt: "2025-12-31T00:00:00Z" }));
  });

  it("lists keys without any secret", async () => {
    const run = await fx.claw.run(["auth", "apikey", "list"]);
    expect(run.stdout).toBe(
      [
        "KEY ID                    NAME             DISPLAY NAME     OWNER   SCOPES                    EXPIRES                STATUS    LAST USED",
        "ak_7x8Kj2mNp3Qr5tWv9yBc   ci-cd-pipeline   CI/CD Pipeline   alice   workloads:*, nodes:read   2026-05-06T08:00:00Z   Active    never",
        "ak_oldoldoldoldoldoldo    old              old              alice   nodes:read                2025-12-31T00:00:00Z   Expired   never",
        "",
      ].join("\n"),
    );
    expect(run.stdout).not.toContain("clk_");
  });

  it.each([
    { name: "revokes the key whose status.keyId matches", ref: "ak_7x8Kj2mNp3Qr5tWv9yBc" },
    { name: "revokes a key named by its object name", ref: "ci-cd-pipeline" },
  ])("$name", async ({ ref }) => {
    const run = await fx.claw.run(["auth", "apikey", "revoke", ref]);
    expect(run).toEqual({ code: 0, stdout: 'API key ak_7x8Kj2mNp3Qr5tWv9yBc (ci-cd-pipeline, "CI/CD Pipeline") revoked\n', stderr: "" });
    expect((fx.server.objects.apikeys.get("ci-cd-pipeline") as ApiKey).spec).toMatchObject({ revoked: true, scopes: ["workloads:*", "nodes:read"] });
    expect((fx.server.objects.apikeys.get("old") as ApiKey).spec?.revoked).toBeUndefined();
  });

  it("says so when the key was already revoked", async () => {
    await fx.claw.run(["auth", "apikey", "revoke", "ak_7x8Kj2mNp3Qr5tWv9yBc"]);
    expect((await fx.claw.run(["auth", "apikey", "revoke", "ak_7x8Kj2mNp3Qr5tWv9yBc"])).stdout).toContain("was already revoked");
  });

  it("exits 6 for a key id no key has", async () => {
    const run = await fx.claw.run(["auth", "apikey", "revoke", "ak_nothing"]);
    expect(run).toEqual({ code: ExitCode.NotFound, stdout: "", stderr: "error: no API key has key id ak_nothing; 'claw auth apikey list' shows them\n" });
  });

  it("rotates a key by key id and prints the box with the new secret", async () => {
    const run = await fx.claw.run(["auth", "apikey", "rotate", "ak_7x8Kj2mNp3Qr5tWv9yBc"]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout.split("\n")[0]).toBe("API Key rotated successfully");
    expect(run.stdout).toMatch(/\nSecret:     clk_\S+  ← SAVE THIS!\n/);
    expect(fx.server.requests.at(-1)?.path).toBe("/apis/security.clawbernetes.com/v1/apikeys/ci-cd-pipeline/rotate");
  });
});

describe("parseExpires and apiKeyState", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each([
    { name: "takes 90d as a duration", text: "90d", want: { duration: "90d" } },
    { name: "takes an RFC 3339 time as expiresAt", text: "2026-05-06T08:00:00Z", want: { expiresAt: "2026-05-06T08:00:00Z" } },
    { name: "takes never, and nothing, as no expiry", text: "never", want: {} },
  ])("$name", ({ text, want }) => expect(parseExpires(text, now)).toEqual(want));

  it.each([
    { name: "refuses a word that is no duration", text: "soon", want: /"soon" is not a duration/ },
    { name: "refuses a time in the past", text: "2025-05-06T08:00:00Z", want: /is in the past/ },
  ])("$name", ({ text, want }) => expect(() => parseExpires(text, now)).toThrow(want));

  it.each([
    { name: "shows Revoked as soon as spec.revoked is set", k: key("a", { revoked: true }, { phase: "Active" }), want: "Revoked" },
    { name: "shows Expired once expiresAt has passed", k: key("a", {}, { phase: "Active", expiresAt: "2025-01-01T00:00:00Z" }), want: "Expired" },
    { name: "shows Pending before the secret is minted", k: key("a", {}, {}), want: "Pending" },
  ])("$name", ({ k, want }) => expect(apiKeyState(k as ApiKey, now)).toBe(want));
});
