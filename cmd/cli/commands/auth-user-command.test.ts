import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../../api/machinery/meta.js";
import type { User } from "../../../api/types/user.js";
import { ExitCode } from "../exit-codes.js";
import { startAuthFixture, type AuthFixture } from "../testing/auth-fixture.js";

const user = (name: string, spec: User["spec"] = {}, status?: User["status"]): KubeObject =>
  ({ apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name }, spec, ...(status ? { status } : {}) }) as KubeObject;
const role = (name: string): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions: ["nodes:read"] } });

let fx: AuthFixture;
let race: ((name: string) => void) | undefined;
beforeEach(async () => {
  race = undefined;
  fx = await startAuthFixture({
    beforePatch: (_plural, name) => race?.(name),
    forbid: ({ method, path }) => (method === "DELETE" && path.endsWith("/users/root") ? 'user "admin" cannot delete users: missing permission users:delete' : undefined),
  });
  for (const name of ["operator", "viewer", "ml-engineer"]) fx.server.put("roles", role(name));
});
afterEach(() => fx.dispose());

const specOf = (name: string) => fx.server.objects.users.get(name)?.spec as User["spec"];

describe("claw auth user create", () => {
  it("creates the user with email and roles, then sets the password from stdin", async () => {
    const run = await fx.claw.run(["auth", "user", "create", "alice", "--email", "alice@example.com", "--roles", "operator, ml-engineer", "--password-stdin"], { stdin: "s3cret-pw\n" });
    expect(run).toEqual({ code: 0, stdout: 'user.security.clawbernetes.com/alice created\npassword set for user "alice"\n', stderr: "" });
    expect(specOf("alice")).toEqual({ email: "alice@example.com", roles: ["operator", "ml-engineer"] });
    expect(fx.server.passwords.get("alice")).toBe("s3cret-pw");
    expect(fx.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /apis/security.clawbernetes.com/v1/users?fieldManager=claw",
      "POST /apis/security.clawbernetes.com/v1/users/alice/password",
    ]);
  });

  it("notes that a user created without a password cannot log in yet", async () => {
    const run = await fx.claw.run(["auth", "user", "create", "bob"]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stderr).toContain(`note: "bob" has no password yet and cannot log in; set one with 'claw auth user set-password bob'`);
  });

  it("exits 7 for a user that already exists, and reads no password", async () => {
    fx.server.put("users", user("alice"));
    const run = await fx.claw.run(["auth", "user", "create", "alice"]);
    expect(run.code).toBe(ExitCode.Conflict);
    expect(run.stderr).toContain('Error from server (AlreadyExists): users.security.clawbernetes.com "alice" already exists');
  });
});

describe("claw auth user assign-role and remove-role", () => {
  it("keeps a role another writer added between its read and its write (no lost update)", async () => {
    fx.server.put("users", user("alice", { email: "a@x", roles: ["operator"] }));
    let raced = false;
    race = (name) => {
      if (raced) return;
      raced = true;
      fx.server.put("users", user(name, { email: "a@x", roles: ["operator", "ml-engineer"] }));
    };
    const run = await fx.claw.run(["auth", "user", "assign-role", "alice", "viewer"]);
    expect(run.stdout).toBe('role "viewer" assigned to user "alice" (roles: operator, ml-engineer, viewer)\n');
    expect(specOf("alice")).toEqual({ email: "a@x", roles: ["operator", "ml-engineer", "viewer"] });
    const patches = fx.server.requests.filter((r) => r.method === "PATCH").map((r) => JSON.parse(r.body) as { metadata: { resourceVersion: string } });
    expect(patches).toHaveLength(2);
    expect(patches[0]!.metadata.resourceVersion).not.toBe(patches[1]!.metadata.resourceVersion);
  });

  const cases: { name: string; args: string[]; before: string[]; after: string[]; stdout: string; stderr?: string }[] = [
    { name: "says nothing changed when the user already has the role", args: ["assign-role", "alice", "operator"], before: ["operator"], after: ["operator"], stdout: 'user "alice" already has role "operator"; nothing changed\n' },
    { name: "assigns several roles at once", args: ["assign-role", "alice", "viewer", "ml-engineer"], before: [], after: ["viewer", "ml-engineer"], stdout: 'roles "viewer", "ml-engineer" assigned to user "alice" (roles: viewer, ml-engineer)\n' },
    { name: "warns about a role that does not exist yet", args: ["assign-role", "alice", "ghost"], before: [], after: ["ghost"], stdout: 'role "ghost" assigned to user "alice" (roles: ghost)\n', stderr: 'warning: role "ghost" does not exist yet; "alice" gets its permissions once it is created\n' },
    { name: "removes a role and keeps the others in order", args: ["remove-role", "alice", "viewer"], before: ["operator", "viewer", "ml-engineer"], after: ["operator", "ml-engineer"], stdout: 'role "viewer" removed from user "alice" (roles: operator, ml-engineer)\n' },
    { name: "says nothing changed when removing a role the user lacks", args: ["remove-role", "alice", "viewer"], before: ["operator"], after: ["operator"], stdout: 'user "alice" does not have role "viewer"; nothing changed\n' },
  ];
  it.each(cases)("$name", async ({ args, before, after, stdout, stderr }) => {
    fx.server.put("users", user("alice", { roles: before }));
    const run = await fx.claw.run(["auth", "user", ...args]);
    expect(run).toEqual({ code: 0, stdout, stderr: stderr ?? "" });
    expect(specOf("alice")?.roles).toEqual(after);
  });

  it("exits 6 for a user that does not exist", async () => {
    const run = await fx.claw.run(["auth", "user", "assign-role", "nobody", "viewer"]);
    expect(run.code).toBe(ExitCode.NotFound);
  });
});

describe("claw auth user list, disable, enable, delete, set-password", () => {
  it("lists users with their email, roles and status", async () => {
    fx.server.put("users", user("bob", { roles: ["ghost"] }, { missingRoles: ["ghost"] }));
    fx.server.put("users", user("alice", { email: "alice@example.com", roles: ["operator", "ml-engineer"] }));
    fx.server.put("users", user("carol", { disabled: true }));
    const run = await fx.claw.run(["auth", "user", "list"]);
    expect(run.stdout).toBe(
      [
        "NAME    EMAIL               ROLES                  STATUS                LAST LOGIN   AGE",
        "alice   alice@example.com   operator,ml-engineer   Active                never        5m",
        "bob     <none>              ghost                  MissingRoles(ghost)   never        5m",
        "carol   <none>              <none>                 Disabled              never        5m",
        "",
      ].join("\n"),
    );
  });

  it.each([
    { name: "disables an enabled user", args: ["disable", "alice"], before: false, after: true, stdout: 'user "alice" disabled\n' },
    { name: "says so when the user is already disabled", args: ["disable", "alice"], before: true, after: true, stdout: 'user "alice" is already disabled\n' },
    { name: "enables a disabled user", args: ["enable", "alice"], before: true, after: false, stdout: 'user "alice" enabled\n' },
  ])("$name", async ({ args, before, after, stdout }) => {
    fx.server.put("users", user("alice", { email: "a@x", disabled: before }));
    const run = await fx.claw.run(["auth", "user", ...args]);
    expect(run.stdout).toBe(stdout);
    expect(specOf("alice")).toEqual({ email: "a@x", disabled: after });
  });

  it("deletes a user", async () => {
    fx.server.put("users", user("alice"));
    expect((await fx.claw.run(["auth", "user", "delete", "alice"])).stdout).toBe('user.security.clawbernetes.com "alice" deleted\n');
    expect(fx.server.objects.users.has("alice")).toBe(false);
  });

  it("shows the server's 403 message naming the missing permission, with exit 5", async () => {
    fx.server.put("users", user("root"));
    const run = await fx.claw.run(["auth", "user", "delete", "root"]);
    expect(run).toEqual({ code: ExitCode.Forbidden, stdout: "", stderr: 'Error from server (Forbidden): user "admin" cannot delete users: missing permission users:delete\n' });
  });

  it("sets a password from stdin, and with --current sends the first line as the current one", async () => {
    fx.server.put("users", user("alice"));
    expect((await fx.claw.run(["auth", "user", "set-password", "alice", "--password-stdin"], { stdin: "new-pw\n" })).stdout).toBe('password set for user "alice"\n');
    expect(fx.server.passwords.get("alice")).toBe("new-pw");
    await fx.claw.run(["auth", "user", "set-password", "alice", "--password-stdin", "--current"], { stdin: "new-pw\nnewer-pw\n" });
    expect(JSON.parse(fx.server.requests.at(-1)!.body)).toEqual({ password: "newer-pw", currentPassword: "new-pw" });
  });
});
