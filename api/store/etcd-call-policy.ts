// How the etcd Store calls etcd so that a cluster that lost its quorum fails requests quickly instead of holding
// them (the API server answers 503 within seconds, never hangs), while the loss of one member of three, and
// the election that follows, stays invisible:
// - a unary call has a deadline shorter than the 5 s a client may wait: a member without a quorum holds a
//   request until then (an election in progress, which ends within a second or two, lets it through);
// - a call refused by a member that is down, or cut off by an election ("leader changed"), is tried again on
//   the next member after a short backoff, within the same deadline (EtcdStore passes one per Store call), so
//   losing one member, even the leader, stays invisible; one that ran out its deadline is not tried again;
// - watches carry etcd's "require leader" metadata (clientv3.WithRequireLeader, as kube-apiserver sends it):
//   a member left without a leader cancels them, so they fail over instead of going silent. Unary calls do not:
//   a member answers those "no leader" at once during an ordinary election too, which would fail requests that
//   waiting a second lets through.

import { InterceptingCall, type Interceptor } from "@grpc/grpc-js";
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry } from "cockatiel";
import { GRPCDeadlineExceededError, isRecoverableError, type IOptions } from "etcd3";
import type { Clock } from "../machinery/clock.js";

/** The default deadline of a unary etcd call. */
export const DEFAULT_ETCD_CALL_TIMEOUT_MS = 4_000;

const REQUIRE_LEADER_KEY = "hasleader";
const HAS_LEADER = "true";
/** With the backoff (about 0.1, 0.2, 0.4, 0.8, 1 s), retries span an etcd election (one to two seconds). */
const ATTEMPTS = 6;

export const requireLeader: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      metadata.set(REQUIRE_LEADER_KEY, HAS_LEADER);
      next(metadata, listener);
    },
  });

export function etcdCallPolicy(opts: { clock: Clock; callTimeoutMs?: number }): Pick<IOptions, "defaultCallOptions" | "faultHandling"> {
  const callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
  return {
    // Watches stream on with no deadline.
    defaultCallOptions: (context) => (context.isStream ? { interceptors: [requireLeader] } : { deadline: opts.clock.now() + callTimeoutMs }),
    faultHandling: {
      // A member that failed three calls in a row is skipped for a second, not the client's default five: after
      // an election the survivors serve again at once instead of being skipped for seconds.
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1_000, breaker: new ConsecutiveBreaker(3) }),
      global: retry(
        handleWhen((err) => isRecoverableError(err) && !(err instanceof GRPCDeadlineExceededError)),
        { maxAttempts: ATTEMPTS, backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }) },
      ),
    },
  };
}
