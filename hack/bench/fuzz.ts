// hack/bench/fuzz: issue 13's fuzz at full size. fast-check requests (paths from the route table, query strings,
// headers, JSON and YAML bodies) against the real server in-process over HTTPS, one at a time, while a health
// check polls /readyz every 50 ms. Prints cases/s, the status histogram, 5xx, dropped connections, the health
// check's max and p99 latency and stalls; exits 1 on any 5xx, drop, stall, crash or a server not ready after.
//
//   npm run bench:fuzz -- [--cases 100000] [--seed N] [--stall-ms 200] [--keep-going]

import { parseArgs } from "node:util";
import { runFuzz, startFuzzTarget } from "../testing/fuzz-run.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "100000" },
    seed: { type: "string" },
    "stall-ms": { type: "string", default: "200" },
    "keep-going": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/fuzz.js [--cases 100000] [--seed N] [--stall-ms 200] [--keep-going]");
  process.exit(0);
}

// A crash of the in-process server is an uncaught error in this process: counted and reported, not fatal here.
const crashes: string[] = [];
process.on("uncaughtException", (err) => crashes.push(`uncaught: ${err.stack ?? String(err)}`));
process.on("unhandledRejection", (err) => crashes.push(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));

const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const cases = Number(values.cases);
console.log(`fuzz: ${cases} cases, seed ${seed} (replay with --seed ${seed})`);
const target = await startFuzzTarget();
const report = await runFuzz(target, {
  cases,
  seed,
  stallMs: Number(values["stall-ms"]),
  keepGoing: values["keep-going"],
  onProgress: (done) => done % 10_000 === 0 && console.log(`  ${done} cases`),
});
await target.stop();

const { health } = report;
console.log(`cases:            ${report.cases} in ${report.seconds.toFixed(1)} s, ${Math.round(report.cases / report.seconds)} cases/s`);
console.log(`statuses:         ${Object.entries(report.histogram).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`).join(", ")}`);
console.log(`5xx:              ${report.fiveHundreds}`);
console.log(`dropped:          ${report.dropped}`);
console.log(`health checks:    ${health.polls}, max ${health.maxMs} ms, p99 ${health.p99Ms} ms, stalls over ${values["stall-ms"]} ms: ${health.stalls.length}`);
console.log(`event loop delay: max ${health.eventLoopMaxMs} ms (the in-process client included)`);
console.log(`crashes:          ${crashes.length}`);
console.log(`ready after:      ${report.aliveAfter}`);
for (const stall of health.stalls.slice(0, 20)) console.log(`  stall ${stall.ms} ms: ${stall.inFlight.slice(0, 400)}`);
for (const problem of report.problems) console.log(`  ${problem}`);
for (const crash of crashes.slice(0, 5)) console.log(`  ${crash}`);
if (report.failure) console.log(`failure (shrunk in ${report.failure.shrinks} steps): ${report.failure.problem}\n  ${report.failure.request}`);
const failed = report.failure !== undefined || report.problems.length > 0 || report.fiveHundreds > 0 || report.dropped > 0 || health.stalls.length > 0 || crashes.length > 0 || !report.aliveAfter;
process.exit(failed ? 1 : 0);
