// A stand-in for process.stdin on a terminal: tests type keys into it and see whether raw mode was used.

import { EventEmitter } from "node:events";
import type { TerminalInput } from "../password-input.js";

export class FakeTerminal extends EventEmitter implements TerminalInput {
  readonly isTTY = true as const;
  /** Every setRawMode call, in order. */
  readonly rawModes: boolean[] = [];
  paused = true;
  private queued: string[] = [];

  /** Keys typed at once per element of `chunks`, delivered each time the prompt starts listening. */
  constructor(chunks: string[] = []) {
    super();
    this.queued = [...chunks];
  }

  setRawMode(raw: boolean): this {
    this.rawModes.push(raw);
    return this;
  }

  resume(): this {
    this.paused = false;
    // The next queued line of keys arrives once someone reads, as from a person typing.
    const next = this.queued.shift();
    if (next !== undefined) queueMicrotask(() => this.type(next));
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  type(keys: string): void {
    this.emit("data", Buffer.from(keys, "utf8"));
  }

  /** Lets the CLI iterate it like process.stdin (nothing is read that way while it is a terminal). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {}
}
