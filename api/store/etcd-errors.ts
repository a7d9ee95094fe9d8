// Maps etcd3/gRPC failures onto the Store's errors, and finds etcd's compaction horizon.

import {
  castGrpcError,
  ClientClosedError,
  EtcdWatchStreamEnded,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCUnavailableError,
  type Etcd3,
  type IWatchResponse,
} from "etcd3";
import { StoreError, StoreUnavailableError } from "./store.js";
import { futureRevisionError } from "./future-revision.js";

const COMPACTED_MESSAGE = "required revision has been compacted";
const FUTURE_MESSAGE = "required revision is a future revision";

export const isCompactedFailure = (err: unknown): boolean => err instanceof Error && err.message.includes(COMPACTED_MESSAGE);


const ETCD_CONTEXT_ERRORS = ["context deadline exceeded", "context canceled"];

/** True for failures that mean "etcd could not be reached or did not answer in time". */
export function isUnavailableFailure(raw: unknown): boolean {
  // Stream errors arrive as raw gRPC errors; unary ones are already cast to etcd3's classes.
  const err = raw instanceof Error ? castGrpcError(raw) : raw;
  return (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    err instanceof GRPCCancelledError ||
    // What gRPC reports when etcd drops a stream mid-flight (stopping, crashing): the connection failed, not the request.
    err instanceof GRPCInternalError ||
    err instanceof ClientClosedError ||
    err instanceof EtcdWatchStreamEnded ||
    (typeof err === "object" && err !== null && (err as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true) ||
    // etcd gives up on a request whose deadline passed while it waited for a quorum with gRPC's UNKNOWN code
    // and Go's context error as the message: it did not answer in time, as DEADLINE_EXCEEDED says.
    (err instanceof Error && ETCD_CONTEXT_ERRORS.some((text) => err.message.includes(text)))
  );
}

export interface ErrorContext {
  endpoints: readonly string[];
  /** The revision a read asked for, for the future-revision message. */
  revision?: number;
}

/** Any error other than compaction (callers resolve that one, since it needs etcd's horizon). */
export function mapEtcdError(err: unknown, context: ErrorContext): Error {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isUnavailableFailure(err)) {
    return new StoreUnavailableError(`etcd at ${context.endpoints.join(",")} is unavailable: ${message}`);
  }
  if (message.includes(FUTURE_MESSAGE) && context.revision !== undefined) return futureRevisionError(context.revision);
  return new Error(`etcd rejected the request: ${message}`);
}

export interface CompactionProbe {
  client: Etcd3;
  /** Any key inside this store's namespace; only its (empty) history is watched. */
  probeKey: Buffer;
  timeoutMs: number;
}

/**
 * etcd's compact revision: the oldest revision it can still read (1 when nothing was compacted).
 * etcd exposes it only on a watch that starts below it, so a read at revision 1 tells whether to ask.
 */
export async function etcdCompactRevision(probe: CompactionProbe): Promise<number> {
  try {
    await probe.client.kv.range({ key: probe.probeKey, revision: 1, count_only: true });
    return 1;
  } catch (err) {
    if (!isCompactedFailure(err)) throw err;
  }
  const stream = await probe.client.watchClient.watch();
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StoreUnavailableError("etcd did not report its compaction revision in time")), probe.timeoutMs);
      stream.on("data", (res: IWatchResponse) => {
        if (res.compact_revision && res.compact_revision !== "0") {
          clearTimeout(timer);
          resolve(Number(res.compact_revision));
        }
      });
      stream.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      stream.write({ create_request: { key: probe.probeKey, start_revision: 1 } });
    });
  } finally {
    stream.cancel();
  }
}
