// The I/O of pruning an apply set: list every served kind with the set's label, delete what the plan says.

import type { RestClient } from "../../../api/client/rest-client.js";
import { isApiError, isNotFound } from "../../../api/machinery/errors.js";
import { APPLY_SET_LABEL, prunePlan, type SetMember } from "../apply-set.js";
import type { FailureLog } from "../cli-action.js";
import type { CliSession } from "../cli-session.js";
import { qualifiedKind, type ResolvedKind } from "../kind-resolver.js";

export interface PruneRun {
  session: CliSession;
  client: RestClient;
  id: string;
  /** memberKey of every applied document. */
  applied: Set<string>;
  dryRun: boolean;
  failures: FailureLog;
}

/** Every object of every served kind labelled with the set; kinds that cannot be listed are skipped. */
export async function listSetMembers(session: CliSession, client: RestClient, id: string, failures: FailureLog): Promise<(SetMember & { kind: ResolvedKind })[]> {
  const members: (SetMember & { kind: ResolvedKind })[] = [];
  for (const kind of await session.kinds().all()) {
    try {
      const list = await client.list(kind.plural, { labelSelector: `${APPLY_SET_LABEL}=${id}`, signal: session.deps.signal });
      members.push(...list.items.map((object) => ({ plural: kind.plural, object, kind })));
    } catch (err) {
      // A resource that is served but cannot be listed (an action endpoint) holds no set members.
      if (isNotFound(err) || (isApiError(err) && err.code === 405)) continue;
      failures.report(err, `listing ${kind.plural} of apply set ${id}`);
    }
  }
  return members;
}

/** Deletes the set members that are no longer applied, printing `KIND/NAME pruned` for each. */
export async function prune(run: PruneRun): Promise<void> {
  const { session, client, failures } = run;
  const members = await listSetMembers(session, client, run.id, failures);
  if (failures.failed) return session.err(`error: not pruning apply set ${run.id}: its members could not all be listed`);
  const doomed = prunePlan(members, run.applied, run.id);
  const byPlural = new Map(members.map((m) => [m.plural, m.kind]));
  for (const member of doomed) {
    const kind = byPlural.get(member.plural)!;
    const name = member.object.metadata.name;
    try {
      await client.delete(member.plural, name, {
        dryRun: run.dryRun,
        ...(member.object.metadata.uid ? { preconditions: { uid: member.object.metadata.uid } } : {}),
        signal: session.deps.signal,
      });
      session.out(`${qualifiedKind(kind)}/${name} pruned${run.dryRun ? " (server dry run)" : ""}\n`);
    } catch (err) {
      if (isNotFound(err)) continue;
      if (failures.report(err, `pruning ${qualifiedKind(kind)}/${name}`)) return;
    }
  }
}
