// A progress bar on stderr for long audit exports and verifications, drawn only when stderr is a terminal
// (never into a file or a pipe) and redrawn at most every 100 ms of the CLI's clock.

import type { Clock } from "../../../api/machinery/clock.js";
import type { TextSink } from "../cli-session.js";

const WIDTH = 30;

export class ProgressBar {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly out: TextSink,
    private readonly clock: Clock,
    private readonly label: string,
    /** What is counted, after the numbers. */
    private readonly unit = "entries",
  ) {}

  /** Whether a sink is a terminal (process.stderr on a TTY; tests pass a sink with isTTY = true). */
  static enabledFor(sink: TextSink): boolean {
    return (sink as { isTTY?: unknown }).isTTY === true;
  }

  update(done: number, total: number, force = false): void {
    const now = this.clock.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = `${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}`;
    this.out.write(`\r${this.label} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} ${this.unit}`);
    this.drawn = true;
  }

  /** Ends the bar's line (with a final draw). */
  finish(done: number, total: number): void {
    this.update(done, total, true);
    if (this.drawn) this.out.write("\n");
  }
}
