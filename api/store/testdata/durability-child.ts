// Child process of sqlite-durability.test.ts: creates keys through the real SQLite store, 64 in
// flight, and prints each key on its own line the moment its create is acknowledged. It never stops
// by itself before `total` keys; the test kills it with SIGKILL mid-stream.

import { writeSync } from "node:fs";
import { openSqliteStore } from "../sqlite-store.js";

const [path, totalArg] = process.argv.slice(2);
if (!path) throw new Error("usage: durability-child <store.db> [total]");
const total = Number(totalArg ?? 1_000_000);
const store = openSqliteStore({ path });
let next = 0;

async function writer(): Promise<void> {
  while (next < total) {
    const key = `/durable/${String(next++).padStart(8, "0")}`;
    await store.create(key, JSON.stringify({ key }));
    // Synchronous write: the line is out before any later ack can be printed.
    writeSync(1, `${key}\n`);
  }
}

await Promise.all(Array.from({ length: 64 }, () => writer()));
await store.close();
