// `claw secrets rekey`: every Secret re-sealed under the server's primary master key, one POST each.
// The server's rekey is idempotent, so a run that stopped (Ctrl-C, a crash, a lost connection) is
// finished simply by running the command again: secrets already under the key cost nothing.

import type { Command } from "commander";
import { isForbidden, isNotFound } from "../../../api/machinery/errors.js";
import type { Secret } from "../../../api/types/secret.js";
import { FailureLog, runAction } from "../cli-action.js";
import { ProgressBar } from "./audit-progress.js";
import { SECRETS, type SecretsCommandContext } from "./secrets-context.js";

const PAGE = 500;
/** Requests in flight at once: enough to hide the round trip, few enough not to crowd other clients out. */
const CONCURRENCY = 8;

export interface RekeyTally {
  resealedSecrets: number;
  resealedVersions: number;
  alreadyCurrent: number;
  withoutValue: number;
  gone: number;
  failed: number;
  keyIds: Set<string>;
}

export function addSecretRekeyCommand(secrets: Command, ctx: SecretsCommandContext): void {
  const { session } = ctx;
  secrets
    .command("rekey")
    .description("re-seal every secret under the server's primary master key (needs secrets:admin); run it again to resume")
    .action(
      runAction(session, async () => {
        const client = await session.client();
        const signal = session.deps.signal;
        const names: string[] = [];
        const tally: RekeyTally = { resealedSecrets: 0, resealedVersions: 0, alreadyCurrent: 0, withoutValue: 0, gone: 0, failed: 0, keyIds: new Set() };
        for (let next: string | undefined; ; ) {
          const page = await client.list<Secret>(SECRETS, { limit: PAGE, ...(next ? { continue: next } : {}), signal });
          for (const s of page.items) {
            if (s.spec?.sealed) names.push(s.metadata.name);
            else tally.withoutValue++;
          }
          next = page.metadata?.continue;
          if (!next) break;
        }
        const api = await ctx.api();
        const failures = new FailureLog(session);
        const progress = ProgressBar.enabledFor(session.deps.stderr) ? new ProgressBar(session.deps.stderr, session.clock, "rekeying secrets", "secrets") : undefined;
        let done = 0;
        let stop = false;
        let forbidden = false;
        const work = async (name: string) => {
          try {
            const result = await api.rekey(name);
            tally.keyIds.add(result.keyId);
            if (result.resealed > 0) {
              tally.resealedSecrets++;
              tally.resealedVersions += result.resealed;
            } else tally.alreadyCurrent++;
          } catch (err) {
            if (isNotFound(err)) tally.gone++;
            else {
              tally.failed++;
              // Unreachable, unauthorized or without secrets:admin: the rest would fail the same way.
              forbidden ||= isForbidden(err);
              if (failures.report(err, `rekeying secret "${name}"`) || forbidden) stop = true;
            }
          }
          done++;
          progress?.update(done, names.length);
        };
        let cursor = 0;
        const worker = async () => {
          while (!stop && !signal?.aborted && cursor < names.length) await work(names[cursor++]!);
        };
        // The first alone: a refusal that would refuse them all (no secrets:admin) is then reported once.
        if (names.length > 0) await work(names[cursor++]!);
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));
        progress?.finish(done, names.length);
        session.out(rekeySummary(tally, names.length - done));
        if ((tally.failed > 0 || done < names.length) && !forbidden) session.err("Run 'claw secrets rekey' again to finish: secrets already under the key are skipped.");
        failures.finish();
      }),
    );
}

/** One paragraph: what was re-sealed, under which key, and what was left. */
export function rekeySummary(t: RekeyTally, notReached: number): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
  const keys = [...t.keyIds].sort();
  const under = keys.length === 0 ? "" : ` under key ${keys.join(", ")}`;
  const lines = [`rekey: ${n(t.resealedSecrets, "secret")} re-sealed (${n(t.resealedVersions, "version")})${under}; ${n(t.alreadyCurrent, "secret")} already ${t.alreadyCurrent === 1 ? "was" : "were"}`];
  const rest = [
    t.withoutValue > 0 && `${n(t.withoutValue, "secret")} without a value skipped`,
    t.gone > 0 && `${n(t.gone, "secret")} deleted meanwhile`,
    t.failed > 0 && `${n(t.failed, "secret")} failed`,
    notReached > 0 && `${n(notReached, "secret")} not reached`,
  ].filter((s): s is string => typeof s === "string");
  if (rest.length > 0) lines.push(rest.join("; "));
  return `${lines.join("\n")}\n`;
}
