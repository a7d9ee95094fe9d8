import { afterEach, describe, expect, it } from "vitest";
import { isInvalid } from "../machinery/errors.js";
import { RestClient } from "./rest-client.js";
import { startLoopbackServer, type LoopbackServer } from "./testing/loopback-server.js";

let server: LoopbackServer | undefined;
afterEach(() => server?.close());

/** A server answering every request with `status` and these Warning headers (one header per entry). */
async function answering(status: number, warnings: string[]): Promise<{ client: RestClient; seen: string[] }> {
  server = await startLoopbackServer((_req, res) => {
    const body = status < 400 ? { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "a" } } : { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Invalid", code: status, message: "bad" };
    if (warnings.length) res.setHeader("warning", warnings);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  const seen: string[] = [];
  return { client: new RestClient({ server: server.url, onWarning: (text) => seen.push(text) }), seen };
}

describe("RestClient warnings", () => {
  it.each([
    { name: "hands each 299 warning of a write to onWarning, unquoted", status: 201, warnings: ['299 - "unknown field \\"spec.permisions\\""', '299 - "unknown field \\"spec.x\\""'], want: ['unknown field "spec.permisions"', 'unknown field "spec.x"'] },
    { name: "reports warnings joined in one header", status: 200, warnings: ['299 - "a", 299 - "b"'], want: ["a", "b"] },
    { name: "ignores warnings of other codes", status: 200, warnings: ['199 - "misc"'], want: [] },
    { name: "reports nothing when there is no Warning header", status: 200, warnings: [], want: [] },
  ])("$name", async ({ status, warnings, want }) => {
    const { client, seen } = await answering(status, warnings);
    await client.create("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "a" } });
    expect(seen).toEqual(want);
    await client.close();
  });

  it("reports the warnings of a refused request too, as kubectl does", async () => {
    const { client, seen } = await answering(422, ['299 - "deprecated"']);
    await expect(client.get("roles", "a")).rejects.toSatisfy(isInvalid);
    expect(seen).toEqual(["deprecated"]);
    await client.close();
  });
});
