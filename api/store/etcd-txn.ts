// Store.txn on etcd: one etcd Txn. Its failure branch range-reads every compared key, so a single
// round trip tells which compares failed and where each key stands; all writes share one revision.

import { CompareResult, CompareTarget, type ICompare, type IKeyValue, type IRequestOp, type ITxnRequest, type ITxnResponse } from "etcd3";
import type { KeyValue, TxnCompare, TxnOp, TxnOpResult, TxnResult } from "./store.js";
import { failedCompares } from "./txn-check.js";

/** How the store maps its keys into etcd's (namespace prefix) and etcd's key-values back. */
export interface EtcdKeyMapping {
  toEtcdKey(key: string): Buffer;
  toKeyValue(kv: IKeyValue): KeyValue;
}

export function toEtcdTxnRequest(compares: readonly TxnCompare[], ops: readonly TxnOp[], keys: EtcdKeyMapping): ITxnRequest {
  return {
    compare: compares.map((compare): ICompare => {
      const key = keys.toEtcdKey(compare.key);
      if ("absent" in compare) return { key, target: CompareTarget.Version, result: CompareResult.Equal, version: 0 };
      // modRevision >= 1 (checkTxn), so Mod == it also means the key exists.
      return { key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: compare.modRevision };
    }),
    success: ops.map((op): IRequestOp => {
      const key = keys.toEtcdKey(op.key);
      if (op.kind === "put") return { request_put: { key, value: Buffer.from(op.value, "utf8"), prev_kv: true } };
      return { request_delete_range: { key, prev_kv: true } };
    }),
    failure: compares.map((compare): IRequestOp => ({ request_range: { key: keys.toEtcdKey(compare.key), keys_only: true } })),
  };
}

export function fromEtcdTxnResponse(compares: readonly TxnCompare[], ops: readonly TxnOp[], res: ITxnResponse, keys: EtcdKeyMapping): TxnResult {
  const revision = Number(res.header.revision);
  if (!res.succeeded) {
    const current = compares.map((_, i) => Number(res.responses[i]?.response_range?.kvs[0]?.mod_revision ?? 0));
    return { succeeded: false, revision, failedCompares: failedCompares(compares, current), currentModRevisions: current };
  }
  const results = ops.map((op, i): TxnOpResult => {
    const response = res.responses[i];
    if (op.kind === "put") {
      const prev = response?.response_put?.prev_kv;
      const createRevision = prev ? Number(prev.create_revision) : revision;
      const kv: KeyValue = { key: op.key, value: op.value, createRevision, modRevision: revision };
      return prev ? { kind: "put", kv, prevKv: keys.toKeyValue(prev) } : { kind: "put", kv };
    }
    // etcd deletes nothing (and reports no previous value) when the key is missing: a no-op result.
    const prev = response?.response_delete_range?.prev_kvs[0];
    return prev ? { kind: "delete", key: op.key, deleted: { kv: keys.toKeyValue(prev), revision } } : { kind: "delete", key: op.key };
  });
  return { succeeded: true, revision, results };
}
