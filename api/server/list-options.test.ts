// List and watch queries, parsed as kube-apiserver parses them: unit cases, then the server's answers.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { encodeContinue } from "./continue-token.js";
import { MAX_LIST_LIMIT, parseListOptions } from "./list-options.js";
import { refusal } from "./testing/refusal.js";

const list = (query: string) => parseListOptions(new URLSearchParams(query), { watch: false });
const watch = (query: string) => parseListOptions(new URLSearchParams(query), { watch: true });

describe("parsing list options", () => {
  it.each([
    ["takes a limit as the page size", "limit=5", { limit: 5 }],
    ["serves the largest int64 limit as the largest page", "limit=9223372036854775807", { limit: MAX_LIST_LIMIT }],
    ["reads a resourceVersion and its match", "resourceVersion=7&resourceVersionMatch=Exact", { revision: 7, resourceVersionMatch: "Exact" }],
    ["reads booleans leniently, as kube does", "allowWatchBookmarks=True", { allowWatchBookmarks: true }],
  ])("%s", (_name, query, want) => {
    expect(list(query)).toMatchObject(want);
  });

  it("reads a zero or negative limit as no limit, as kube does", () => {
    expect([list("limit=0").limit, list("limit=-1").limit]).toEqual([undefined, undefined]);
  });

  it.each([
    ["refuses a limit that is not an integer with 400", () => list("limit=ten"), 400, "limit"],
    ["refuses a timeoutSeconds that is not an integer with 400", () => watch("timeoutSeconds=1m"), 400, "timeoutSeconds"],
    ["refuses a resourceVersion that is not a number with 400", () => list("resourceVersion=abc"), 400, "resourceVersion"],
    ["refuses an unknown resourceVersionMatch with 422", () => list("resourceVersion=1&resourceVersionMatch=Newest"), 422, 'resourceVersionMatch: Unsupported value: "Newest"'],
    ["refuses resourceVersionMatch without a resourceVersion with 422", () => list("resourceVersionMatch=NotOlderThan"), 422, "resourceVersionMatch is forbidden unless resourceVersion is provided"],
    ["refuses resourceVersionMatch=Exact at resourceVersion 0 with 422", () => list("resourceVersion=0&resourceVersionMatch=Exact"), 422, 'resourceVersionMatch "exact" is forbidden'],
    ["refuses resourceVersionMatch with continue with 422", () => list("resourceVersion=1&resourceVersionMatch=Exact&continue=x"), 422, "forbidden when continue is provided"],
    ["refuses sendInitialEvents on a list with 422", () => list("sendInitialEvents=true"), 422, "sendInitialEvents is forbidden for list"],
    ["refuses resourceVersionMatch=Exact on a watch with 422", () => watch("resourceVersion=1&resourceVersionMatch=Exact"), 422, 'Unsupported value: "Exact"'],
  ])("%s", (_name, parse, code, message) => {
    const error = refusal(parse);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

const ROLES = "/apis/security.clawbernetes.com/v1/roles";
const role = (name: string) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions: ["nodes:read"] } });

let env: EnvTest;
let listed: { metadata: { resourceVersion: string }; items: unknown[] };
beforeAll(async () => {
  env = await startEnvTest();
  for (const name of ["lo-a", "lo-b", "lo-c"]) expect((await env.request(ROLES, { method: "POST", json: role(name) })).status).toBe(201);
  listed = (await (await env.request(ROLES)).json()) as typeof listed;
});
afterAll(async () => env?.stop());

type WatchLine = { type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } };

/** The lines a watch sends up to the first that `last` accepts (or the stream's end); then the watch is closed. */
async function linesUntil(r: Response, last: (line: WatchLine) => boolean): Promise<WatchLine[]> {
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  const lines: WatchLine[] = [];
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return lines;
    pending += decoder.decode(value, { stream: true });
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n")) {
      lines.push(JSON.parse(pending.slice(0, end)) as WatchLine);
      pending = pending.slice(end + 1);
      if (last(lines.at(-1)!)) {
        await reader.cancel();
        return lines;
      }
    }
  }
}
const firstLine = async (r: Response) => (await linesUntil(r, () => true))[0];

describe("the server's answers to list queries", () => {
  it.each([
    ["lists every object for the largest int64 limit", "limit=9223372036854775807"],
    ["lists every object for a negative limit", "limit=-1"],
    ["lists every object for a limit with a plus sign", "limit=%2B1000"],
  ])("%s", async (_name, query) => {
    const r = await env.request(`${ROLES}?${query}`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { items: unknown[] }).items).toHaveLength(listed.items.length);
  });

  it("answers resourceVersionMatch=Exact at a future resourceVersion as kube does: 504 Timeout, retry after a second", async () => {
    const current = Number(listed.metadata.resourceVersion);
    const r = await env.request(`${ROLES}?resourceVersion=${current + 1000}&resourceVersionMatch=Exact`);
    const status = (await r.json()) as { reason: string; message: string; details: { retryAfterSeconds: number; causes: { reason: string }[] } };
    expect({ code: r.status, reason: status.reason, retryAfter: r.headers.get("retry-after") }).toEqual({ code: 504, reason: "Timeout", retryAfter: "1" });
    expect(status.message).toMatch(new RegExp(`^Too large resource version: ${current + 1000}, current: \\d+$`));
    expect(status.details).toMatchObject({ retryAfterSeconds: 1, causes: [{ reason: "ResourceVersionTooLarge" }] });
  });

  it("answers a continue token from the future with 504, not 500", async () => {
    const token = encodeContinue({ revision: Number(listed.metadata.resourceVersion) + 1000, startAfter: "" });
    expect((await env.request(`${ROLES}?limit=1&continue=${token}`)).status).toBe(504);
  });

  it("reads a snapshot with resourceVersionMatch=Exact at a past resourceVersion", async () => {
    const r = await env.request(`${ROLES}?resourceVersion=${listed.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(r.status).toBe(200);
  });

  it.each([
    ["an unknown resourceVersionMatch", "resourceVersion=1&resourceVersionMatch=Latest", 422],
    ["a limit that is not an integer", "limit=1.5", 400],
  ])("refuses %s", async (_name, query, code) => {
    const r = await env.request(`${ROLES}?${query}`);
    expect({ code: r.status, kind: ((await r.json()) as { kind: string }).kind }).toEqual({ code, kind: "Status" });
  });

  it("gets one object with a future resourceVersion, as it reads the latest one anyway", async () => {
    expect((await env.request(`${ROLES}/lo-a?resourceVersion=99999999`)).status).toBe(200);
  });
});

describe("the server's answers to watch queries", () => {
  it.each([["True"], ["1"], ["t"], ["TRUE"], [""]])("watches for watch=%j, as kube does", async (value) => {
    const r = await env.request(`${ROLES}?watch=${value}`);
    expect(r.status).toBe(200);
    expect(await firstLine(r)).toMatchObject({ type: "ADDED" });
  });

  it.each([["false"], ["False"], ["0"]])("lists for watch=%j", async (value) => {
    const r = await env.request(`${ROLES}?watch=${value}`);
    expect(((await r.json()) as { kind: string }).kind).toBe("RoleList");
  });

  it("sends the initial-events-end bookmark for sendInitialEvents=1&allowWatchBookmarks=True", async () => {
    const r = await env.request(`${ROLES}?watch=1&sendInitialEvents=1&allowWatchBookmarks=True&resourceVersionMatch=NotOlderThan&timeoutSeconds=5`);
    const lines = await linesUntil(r, (l) => l.type === "BOOKMARK");
    expect(lines.filter((l) => l.type === "ADDED")).toHaveLength(listed.items.length);
    expect(lines.find((l) => l.type === "BOOKMARK")?.object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
  });

  it("keeps a watch with a timeoutSeconds past a timer's range open", async () => {
    const r = await env.request(`${ROLES}?watch=true&resourceVersion=${listed.metadata.resourceVersion}&timeoutSeconds=99999999999`);
    expect((await env.request(ROLES, { method: "POST", json: role("lo-late") })).status).toBe(201);
    expect(await firstLine(r)).toMatchObject({ type: "ADDED", object: { metadata: { name: "lo-late" } } });
  });

  it("starts a watch from a future resourceVersion, waiting for it (as etcd does), not failing", async () => {
    const controller = new AbortController();
    const r = await env.request(`${ROLES}?watch=true&resourceVersion=99999999`, { signal: controller.signal });
    expect(r.status).toBe(200);
    controller.abort();
  });
});
