// The Store conformance suite: every backend runs the same table of cases, each on a fresh store.
// Cases use only revisions they observed themselves, so a backend may share a server between cases
// (etcd's revision and compaction are global) as long as cases run one after another.

import { describe, it } from "vitest";
import type { Store } from "./store.js";
import type { ConformanceCase } from "./conformance-case.js";
import { writeCases } from "./conformance-write-cases.js";
import { readCases } from "./conformance-read-cases.js";
import { watchCases } from "./conformance-watch-cases.js";
import { txnCases } from "./conformance-txn-cases.js";

export interface StoreFixture {
  store: Store;
  /** Closes the store (it may already be closed) and removes what the factory made. */
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

export type { ConformanceCase };

export const conformanceCases: readonly ConformanceCase[] = [...writeCases, ...readCases, ...watchCases, ...txnCases];

export function describeStoreConformance(name: string, factory: StoreFactory): void {
  describe(`${name} store conformance`, () => {
    for (const testCase of conformanceCases) {
      it(testCase.name, async () => {
        const fixture = await factory();
        try {
          await testCase.run(fixture.store);
        } finally {
          await fixture.cleanup();
        }
      });
    }
  });
}
