// Issue 13: a property-based fuzz of paths, query strings, headers and bodies (JSON and YAML) against the real
// server over HTTPS, a bounded slice of hack/bench/fuzz. FUZZ_SEED=<n> replays a run, FUZZ_CASES=<n> resizes it,
// FUZZ_KEEP_GOING=1 lists every failing request unshrunk, FUZZ_STALL_MS=<n> moves the stall limit.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFuzz, startFuzzTarget, type FuzzReport, type FuzzTarget } from "../hack/testing/fuzz-run.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
/** FUZZ_KEEP_GOING=1: list every failing request instead of stopping at the first and shrinking it. */
const KEEP_GOING = process.env.FUZZ_KEEP_GOING === "1";
/** A /readyz answer slower than this is a stall (issue 13: 200 ms). */
const STALL_MS = Number(process.env.FUZZ_STALL_MS ?? 200);

let target: FuzzTarget;
let report: FuzzReport;
beforeAll(async () => {
  target = await startFuzzTarget();
  console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${CASES} cases`);
  report = await runFuzz(target, { cases: CASES, seed: SEED, keepGoing: KEEP_GOING, stallMs: STALL_MS });
  const { failure, health, problems, ...figures } = report;
  for (const problem of problems) console.log(problem);
  console.log(JSON.stringify({ ...figures, casesPerSecond: Math.round(report.cases / report.seconds), health: { ...health, stalls: health.stalls.length } }));
}, 240_000);
afterAll(async () => target?.stop());

describe(`the real server under ${CASES} fuzzed requests (seed ${SEED})`, () => {
  it("answers every request below 500, without a stack trace and without dropping the connection", () => {
    expect(report.failure, `replay with FUZZ_SEED=${SEED}`).toBeUndefined();
    expect(report.problems).toEqual([]);
    expect(report.fiveHundreds).toBe(0);
    expect(report.dropped).toBe(0);
  });

  it(`answers a concurrent health check within ${STALL_MS} ms throughout`, () => {
    expect(report.health.stalls, `max ${report.health.maxMs} ms, p99 ${report.health.p99Ms} ms`).toEqual([]);
    expect(report.health.polls).toBeGreaterThan(0);
  });

  it("is still ready afterwards", () => {
    expect(report.aliveAfter).toBe(true);
  });

  it("leaves Object.prototype as it was, whatever __proto__ and constructor keys the bodies carried", () => {
    // The server runs in this process: a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
