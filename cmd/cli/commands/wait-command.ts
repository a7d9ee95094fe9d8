// `claw wait --for=condition=Ready|--for=delete KIND/NAME… [--timeout 60s]`: exit 0 once every object meets
// the goal, 1 with what it showed last when the timeout passes first (kubectl wait).

import type { Command } from "commander";
import { parseDuration } from "../../../api/types/duration.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { qualifiedKind } from "../kind-resolver.js";
import { parseWaitGoal, restObjectSource, waitForObject } from "../object-wait.js";
import { parseResourceArgs } from "../resource-args.js";

interface WaitFlags {
  for?: string;
  timeout: string;
}

export function addWaitCommand(program: Command, session: CliSession): void {
  program
    .command("wait")
    .description("wait until objects have a condition (--for=condition=Ready) or are gone (--for=delete)")
    .argument("<kind>", "KIND/NAME, or KIND followed by names")
    .argument("[names...]", "object names")
    .option("--for <goal>", "condition=NAME[=STATUS] (STATUS True by default) or delete")
    .option("--timeout <duration>", "how long to wait for all of them, e.g. 60s, 5m", "30s")
    .action(runAction(session, async (kind: string, names: string[], flags: WaitFlags) => wait(session, [kind, ...names], flags)));
}

async function wait(session: CliSession, args: string[], flags: WaitFlags): Promise<void> {
  const goal = parseWaitGoal(flags.for);
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(flags.timeout);
  } catch (err) {
    throw new UsageError(`--timeout: ${(err as Error).message}`);
  }
  const target = parseResourceArgs(args, "wait for");
  if (target.names.length === 0) throw new UsageError("say which objects to wait for: claw wait --for=condition=Ready KIND/NAME");
  const kind = await session.kinds().resolve(target.kind);
  const client = await session.client();
  const deadline = session.clock.now() + timeoutMs;
  for (const name of target.names) {
    const what = `${qualifiedKind(kind)}/${name}`;
    // One timeout for all of them, as kubectl's.
    await waitForObject(restObjectSource(client, kind.plural, name), { what, goal, timeoutMs: Math.max(1000, deadline - session.clock.now()), clock: session.clock, ...(session.deps.signal ? { signal: session.deps.signal } : {}) });
    session.out(`${what} ${goal.type === "delete" ? "deleted" : `condition met`}\n`);
  }
}
