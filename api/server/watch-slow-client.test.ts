import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import type { KubeObject } from "../machinery/meta.js";
import { loadCrdRegistry } from "../schema/crd-registry.js";
import { createValidator } from "../schema/validator.js";
import { encodeObject, resourceKey } from "../store/keys.js";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.js";
import type { RequestContext } from "./request-context.js";
import { ResourceService } from "./resource-service.js";
import { resourceInfo } from "./testing/resource-info-fixture.js";
import { WatchHub } from "./watch-hub.js";
import { WatchStreamer } from "./watch-stream.js";

const MAX_PENDING = 64 * 1024;
const info = resourceInfo();
const padding = "x".repeat(8 * 1024);
const role = (name: string): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { description: padding } });

let dir: string;
let store: SqliteStore;
let hub: WatchHub;
let server: Server;
let base: string;
/** Open watch streams, as the streamer counts them; `onClosed` hears each that ends. */
let open = 0;
let onClosed: () => void = () => undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claw-slow-watch-"));
  store = openSqliteStore({ path: join(dir, "store.db") });
  const clock = new FakeClock();
  hub = new WatchHub({ store, clock, prefix: "/registry/" });
  await hub.start();
  const service = new ResourceService({ store, validator: createValidator(loadCrdRegistry()), clock });
  const streamer = new WatchStreamer({
    hub,
    service,
    clock,
    maxPendingBytes: MAX_PENDING,
    onOpen: (delta) => {
      open += delta;
      if (delta < 0) onClosed();
    },
  });
  server = createServer((req, res) => {
    // The streamer reads the URL, the request and the response of a context; nothing else here.
    const ctx = { req, res, url: new URL(req.url ?? "/", "http://localhost"), warnings: [] } as unknown as RequestContext;
    void streamer.serve(ctx, info, () => true);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  hub?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads a watch response until `count` events arrived; returns their names and revisions. `onEvent` hears each one. */
async function readEvents(response: Response, count: number, onEvent: (n: number) => void = () => undefined): Promise<{ name: string; rv: number }[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: { name: string; rv: number }[] = [];
  let buf = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      events.push(eventOf(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      onEvent(events.length);
    }
  }
  await reader.cancel();
  return events;
}

const eventOf = (line: string) => {
  const event = JSON.parse(line) as { object: { metadata: { name: string; resourceVersion: string } } };
  return { name: event.object.metadata.name, rv: Number(event.object.metadata.resourceVersion) };
};

/** A watch over a raw socket that reads nothing until `drain` is called. */
function stalledWatch(rv: number): { socket: Socket; drain: () => Promise<string> } {
  const url = new URL(`${base}?watch=true&resourceVersion=${rv}`);
  const socket = connect(Number(url.port), url.hostname);
  socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  socket.pause();
  return {
    socket,
    drain: () =>
      new Promise((resolve) => {
        const chunks: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
        socket.resume();
      }),
  };
}

/** The complete event lines of a raw chunked HTTP response (chunk framing removed). */
function eventLines(raw: string): string[] {
  const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  let text = "";
  for (let at = 0; at < body.length; ) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(body.slice(at, eol), 16);
    if (!Number.isFinite(size) || size === 0) break;
    text += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  return text.split("\n").slice(0, -1);
}

describe("a watcher that stops reading", () => {
  it("is cut off without holding up the others, and resumes without a gap from the last revision it read", async () => {
    const start = await store.currentRevision();
    const fast = await fetch(`${base}?watch=true&resourceVersion=${start}`);
    const names = Array.from({ length: 2000 }, (_, i) => `slow-${String(i).padStart(4, "0")}`);
    // The reading watcher keeps up: the next batch is written when it has read the previous one.
    let caughtUp: { at: number; resolve: () => void } | undefined;
    const reading = readEvents(fast, names.length, (n) => {
      if (caughtUp && n >= caughtUp.at) caughtUp.resolve();
    });
    const slow = stalledWatch(start);
    await new Promise<void>((resolve) => slow.socket.once("connect", () => resolve()));
    const cut = new Promise<void>((resolve) => (onClosed = resolve));
    for (let i = 0; i < names.length; i += 100) {
      const read = new Promise<void>((resolve) => (caughtUp = { at: i + 100, resolve }));
      await Promise.all(names.slice(i, i + 100).map((name) => store.create(resourceKey(info.group, info.plural, name), encodeObject(role(name)))));
      await read;
    }
    await cut;
    // The stalled stream was cut while writes went on; the reading watcher got every event, in order.
    expect(open).toBe(1);
    const received = await reading;
    expect(received.map((e) => e.name)).toEqual(names);

    // The stalled client finds its stream broken (no last chunk), so it knows to watch again …
    const raw = await slow.drain();
    expect(raw.endsWith("0\r\n\r\n")).toBe(false);
    const seen = eventLines(raw).map(eventOf);
    expect(seen.length).toBeLessThan(names.length);
    // … from the last revision it read, and the two streams together hold every event once.
    const last = seen.at(-1)?.rv ?? start;
    const resumed = await readEvents(await fetch(`${base}?watch=true&resourceVersion=${last}`), names.length - seen.length);
    expect([...seen, ...resumed].map((e) => e.name)).toEqual(names);
  });

  it("still gets an initial state far bigger than the cap in full: it is written as the client reads", async () => {
    const live = (await store.list(`/registry/${info.group}/${info.plural}/`)).items.length;
    expect(live * padding.length).toBeGreaterThan(100 * MAX_PENDING);
    const initial = await readEvents(await fetch(`${base}?watch=true`), live);
    expect(initial).toHaveLength(live);
  });
});
