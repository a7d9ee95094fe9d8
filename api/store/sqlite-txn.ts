// Store.txn on the embedded store, run inside a group-commit transaction: every compare is evaluated
// against the state so far (earlier writes of the same batch included) before any op is applied, so
// a txn applies all of its ops or none, and a failed one leaves the rest of the batch alone.

import type { TxnCompare, TxnOp, TxnOpResult, TxnResult, WatchEvent } from "./store.js";
import type { RowWriter } from "./sqlite-row-writer.js";
import { failedCompares } from "./txn-check.js";

export interface AppliedTxn {
  result: TxnResult;
  /** The txn's watch events in revision order (none when it failed). */
  events: WatchEvent[];
}

export function applyTxn(rows: RowWriter, compares: readonly TxnCompare[], ops: readonly TxnOp[]): AppliedTxn {
  const current = compares.map((compare) => rows.live(compare.key)?.id ?? 0);
  const failed = failedCompares(compares, current);
  if (failed.length > 0) {
    return { result: { succeeded: false, revision: rows.revision, failedCompares: failed, currentModRevisions: current }, events: [] };
  }
  const events: WatchEvent[] = [];
  const results = ops.map((op): TxnOpResult => {
    const live = rows.live(op.key);
    if (op.kind === "put") {
      const { event, ...written } = rows.put(op.key, op.value, live);
      events.push(event);
      return { kind: "put", ...written };
    }
    // Deleting a missing key is a no-op that takes no revision, as etcd's DeleteRange of nothing.
    if (!live) return { kind: "delete", key: op.key };
    const { event, ...deleted } = rows.remove(live);
    events.push(event);
    return { kind: "delete", key: op.key, deleted };
  });
  return { result: { succeeded: true, revision: rows.revision, results }, events };
}
