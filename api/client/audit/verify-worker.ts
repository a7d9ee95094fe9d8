// Worker thread of the parallel verifier (verify-parallel.ts): verifies the slices it is sent.

import { parentPort, workerData } from "node:worker_threads";
import type { RawBatch } from "./batch.js";
import { parsePublicKeys } from "./checkpoint.js";
import { verifySlice } from "./verify-slice.js";

interface Init {
  keysPem: string;
  checkSignatures: boolean;
}

const init = workerData as Init;
const trustedKeys = init.keysPem ? parsePublicKeys(init.keysPem, "trusted keys") : new Map();

parentPort?.on("message", (message: { id: number; batches: RawBatch[]; probeSeq?: number }) => {
  const result = verifySlice(message.batches, { trustedKeys, checkSignatures: init.checkSignatures, start: undefined, ...(message.probeSeq !== undefined ? { probeSeq: message.probeSeq } : {}) });
  parentPort?.postMessage({ id: message.id, result });
});
