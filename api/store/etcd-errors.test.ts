// Which etcd failures the API reports as 503 (the store is unavailable) and which as a rejected request.

import { GRPCDeadlineExceededError, GRPCUnavailableError } from "etcd3";
import { describe, expect, it } from "vitest";
import { mapEtcdError } from "./etcd-errors.js";
import { StoreUnavailableError } from "./store.js";

const context = { endpoints: ["http://127.0.0.1:2379"] };

describe("mapEtcdError", () => {
  it.each([
    ["a member that cannot be reached", new GRPCUnavailableError("14 UNAVAILABLE: No connection established")],
    ["a call past its deadline", new GRPCDeadlineExceededError("4 DEADLINE_EXCEEDED: Deadline exceeded")],
    ["etcd giving up on a request it could not commit before the deadline, with gRPC's UNKNOWN code", new Error("2 UNKNOWN: context deadline exceeded")],
    ["etcd dropping a request whose caller went away", new Error("2 UNKNOWN: context canceled")],
  ])("reports %s as the store being unavailable", (_case, err) => {
    expect(mapEtcdError(err, context)).toBeInstanceOf(StoreUnavailableError);
  });

  it("reports any other failure as a rejected request, with etcd's words", () => {
    const mapped = mapEtcdError(new Error("3 INVALID_ARGUMENT: etcdserver: key is not provided"), context);
    expect(mapped).not.toBeInstanceOf(StoreUnavailableError);
    expect(mapped.message).toBe("etcd rejected the request: 3 INVALID_ARGUMENT: etcdserver: key is not provided");
  });
});
