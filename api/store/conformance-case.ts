// One case of the Store conformance suite: a sentence and what it runs against a store.

import type { Store } from "./store.js";

export interface ConformanceCase {
  /** A sentence saying what the store does. */
  name: string;
  run(store: Store): Promise<void>;
}
