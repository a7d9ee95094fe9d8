import { describe, expect, it } from "vitest";
import { buildKubeconfig, type Kubeconfig } from "./kubeconfig.js";
import { addSession, createdByLogin, removeSession, SESSION_EXTENSION, sessionFile, sessionMarkOf } from "./session-context.js";

/** admin.conf-like: context "claw" whose user holds the admin key; modifiers adjust it. */
const adminConfig = (...mods: ((c: Kubeconfig) => Kubeconfig)[]): Kubeconfig =>
  mods.reduce((c, mod) => mod(c), buildKubeconfig({ server: "https://127.0.0.1:8080", token: "clk_admin" }));
const withClientCert = (c: Kubeconfig): Kubeconfig => ({ ...c, users: [{ name: "claw", user: { token: "clk_admin", "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" } }] });
const login = (c: Kubeconfig, username: string, token = `eyJ.${username}`) => addSession(c, { cluster: "claw", transport: c.users[0]?.user, username, token }).config;
const contextOf = (c: Kubeconfig, name: string) => c.contexts.find((x) => x.name === name)?.context;
const tokenOf = (c: Kubeconfig, name: string) => c.users.find((u) => u.name === name)?.user.token;

describe("addSession", () => {
  it("adds its own user and context and makes it current, leaving the admin key where it was", () => {
    const { config, context } = addSession(adminConfig(), { cluster: "claw", username: "alice", token: "eyJ.alice" });
    expect(context).toBe("alice@claw");
    expect(config["current-context"]).toBe("alice@claw");
    expect(tokenOf(config, "claw")).toBe("clk_admin");
    expect(tokenOf(config, "alice@claw")).toBe("eyJ.alice");
    expect(contextOf(config, "alice@claw")).toEqual({ cluster: "claw", user: "alice@claw", extensions: [{ name: SESSION_EXTENSION, extension: { previousContext: "claw" } }] });
  });

  it("keeps the client certificate of the user it starts from, never its token", () => {
    const config = login(adminConfig(withClientCert), "alice");
    expect(config.users.find((u) => u.name === "alice@claw")?.user).toEqual({ "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ", token: "eyJ.alice" });
  });

  it("replaces the token when the same user logs in again, keeping the way back", () => {
    const config = login(login(adminConfig(), "alice", "eyJ.first"), "alice", "eyJ.second");
    expect(config.contexts.map((c) => c.name)).toEqual(["claw", "alice@claw"]);
    expect(tokenOf(config, "alice@claw")).toBe("eyJ.second");
    expect(sessionMarkOf(contextOf(config, "alice@claw"))).toEqual({ previousContext: "claw" });
  });

  it("refuses a context of the session's name that login did not make", () => {
    const taken = adminConfig((c) => ({ ...c, contexts: [...c.contexts, { name: "alice@claw", context: { cluster: "claw", user: "claw" } }] }));
    expect(() => login(taken, "alice")).toThrow(`context "alice@claw" that 'claw auth login' did not make`);
  });
});

describe("removeSession", () => {
  it.each([
    {
      name: "makes the context that was current before login current again",
      config: () => login(adminConfig(), "alice"),
      remove: "alice@claw",
      want: { current: "claw", restored: "claw", contexts: ["claw"], users: ["claw"] },
    },
    {
      name: "leaves the current context alone when the session removed is not current",
      config: () => ({ ...login(adminConfig(), "alice"), "current-context": "claw" }),
      remove: "alice@claw",
      want: { current: "claw", restored: undefined, contexts: ["claw"], users: ["claw"] },
    },
    {
      name: "goes back one session at a time",
      config: () => login(login(adminConfig(), "alice"), "bob"),
      remove: "bob@claw",
      want: { current: "alice@claw", restored: "alice@claw", contexts: ["claw", "alice@claw"], users: ["claw", "alice@claw"] },
    },
    {
      name: "sends a later session back to where the removed one would have gone",
      config: () => login(login(adminConfig(), "alice"), "bob"),
      remove: "alice@claw",
      want: { current: "bob@claw", restored: undefined, contexts: ["claw", "bob@claw"], users: ["claw", "bob@claw"] },
    },
    {
      name: "leaves no current context when the previous one is gone",
      config: () => {
        const c = login(adminConfig(), "alice");
        return { ...c, contexts: c.contexts.filter((x) => x.name !== "claw") };
      },
      remove: "alice@claw",
      want: { current: undefined, restored: undefined, contexts: [], users: ["claw"] },
    },
  ])("$name", ({ config, remove, want }) => {
    const removed = removeSession(config(), remove);
    expect(removed?.restored).toBe(want.restored);
    expect(removed?.config["current-context"]).toBe(want.current);
    expect(removed?.config.contexts.map((c) => c.name)).toEqual(want.contexts);
    expect(removed?.config.users.map((u) => u.name)).toEqual(want.users);
    if ((want.contexts as string[]).includes("bob@claw")) expect(sessionMarkOf(contextOf(removed!.config, "bob@claw"))).toEqual({ previousContext: "claw" });
  });

  it("does not touch a context login did not add", () => {
    expect(removeSession(adminConfig(), "claw")).toBeUndefined();
  });

  it("marks a file login made, and only that", () => {
    const made = sessionFile(adminConfig().clusters[0]!);
    expect(createdByLogin(made)).toBe(true);
    expect(createdByLogin(login(made, "alice"))).toBe(true);
    expect(createdByLogin(login(adminConfig(), "alice"))).toBe(false);
  });
});
