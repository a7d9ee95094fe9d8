// Writing large outputs to stdout with backpressure: a pipe or file that is slower than the server makes
// the export wait instead of buffering the whole log in memory.

import { once } from "node:events";
import type { TextSink } from "../cli-session.js";

export async function writeWithBackpressure(sink: TextSink, text: string): Promise<void> {
  const accepted = sink.write(text);
  const emitter = sink as { once?: unknown; writableNeedDrain?: unknown };
  if (accepted === false && typeof emitter.once === "function") await once(sink as unknown as NodeJS.EventEmitter, "drain");
}
