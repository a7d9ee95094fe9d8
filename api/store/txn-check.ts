// Store.txn's rules that do not depend on the backend: which requests are caller errors, and when a
// compare holds. Both backends use these, so they refuse and judge the same transactions alike.

import { TXN_MAX_OPS, type TxnCompare, type TxnOp } from "./store.js";

/** Throws RangeError for a txn no backend should run: too many compares or ops, a bad revision, a key written twice. */
export function checkTxn(compares: readonly TxnCompare[], ops: readonly TxnOp[]): void {
  if (compares.length > TXN_MAX_OPS || ops.length > TXN_MAX_OPS) {
    throw new RangeError(`a transaction takes at most ${TXN_MAX_OPS} compares and ${TXN_MAX_OPS} ops; got ${compares.length} and ${ops.length} (split it)`);
  }
  for (const compare of compares) {
    if ("modRevision" in compare && !(Number.isSafeInteger(compare.modRevision) && compare.modRevision >= 1)) {
      throw new RangeError(`compare on ${compare.key}: modRevision ${compare.modRevision} is not a revision (use { absent: true } for a missing key)`);
    }
  }
  const written = new Set<string>();
  for (const op of ops) {
    // etcd refuses a txn that writes one key twice ("duplicate key given in txn request").
    if (written.has(op.key)) throw new RangeError(`a transaction may write ${op.key} only once`);
    written.add(op.key);
  }
}

/** Whether a compare holds for its key's current modRevision (0 when the key is absent). */
export const compareHolds = (compare: TxnCompare, modRevision: number): boolean =>
  "absent" in compare ? modRevision === 0 : modRevision === compare.modRevision;

/** Indexes of the compares that do not hold, given each compare's current modRevision by index. */
export const failedCompares = (compares: readonly TxnCompare[], current: readonly number[]): number[] =>
  compares.flatMap((compare, i) => (compareHolds(compare, current[i] ?? 0) ? [] : [i]));
