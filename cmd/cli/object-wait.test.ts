import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../../api/client/api-types.js";
import { FakeClock } from "../../api/machinery/clock.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { judgeWait, parseWaitGoal, waitForObject, WaitError, type ObjectSource, type WaitGoal } from "./object-wait.js";

const role = (...conditions: { type: string; status: string; message?: string }[]): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name: "r", resourceVersion: "5" },
  ...(conditions.length ? { status: { conditions } } : {}),
});
const READY: WaitGoal = { type: "condition", condition: "Ready", status: "True" };

describe("parseWaitGoal", () => {
  it.each([
    { name: "reads delete", value: "delete", want: { type: "delete" } },
    { name: "reads a condition, True by default", value: "condition=Ready", want: READY },
    { name: "reads a condition with a status", value: "condition=Ready=False", want: { type: "condition", condition: "Ready", status: "False" } },
  ])("$name", ({ value, want }) => {
    expect(parseWaitGoal(value)).toEqual(want);
  });

  it.each([undefined, "ready", "condition=", "jsonpath={.x}"])("refuses %s", (value) => {
    expect(() => parseWaitGoal(value)).toThrow(/--for must be delete or condition=NAME/);
  });
});

describe("judgeWait", () => {
  it.each([
    { name: "meets a condition with the wanted status", goal: READY, obj: role({ type: "Ready", status: "True" }), want: { met: true } },
    { name: "matches condition names and statuses without case", goal: { ...READY, condition: "ready", status: "true" }, obj: role({ type: "Ready", status: "True" }), want: { met: true } },
    { name: "says what the condition is when it is not met", goal: READY, obj: role({ type: "Ready", status: "False", message: "no such permission" }), want: { met: false, seen: "Ready is False: no such permission" } },
    { name: "says the condition is missing", goal: READY, obj: role({ type: "Synced", status: "True" }), want: { met: false, seen: "it has no Ready condition yet" } },
    { name: "meets delete when the object is gone", goal: { type: "delete" } as const, obj: undefined, want: { met: true } },
    { name: "does not meet delete while the object exists", goal: { type: "delete" } as const, obj: role(), want: { met: false, seen: "it still exists" } },
  ])("$name", ({ goal, obj, want }) => {
    expect(judgeWait(goal, obj)).toEqual(want);
  });
});

/** A source whose GET answers `current` and whose watch plays `events`, then stays open until aborted. */
function sourceOf(current: KubeObject | undefined, events: WatchEvent<KubeObject>[] = []): ObjectSource {
  return {
    get: async () => current,
    async *watch(_rv, signal) {
      yield* events;
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    },
  };
}
const flush = () => new Promise((resolve) => setImmediate(resolve));
const opts = (clock: FakeClock, goal: WaitGoal = READY) => ({ what: "role.security.clawbernetes.com/r", goal, timeoutMs: 60_000, clock });

describe("waitForObject", () => {
  it("returns once a watch event brings the condition", async () => {
    const clock = new FakeClock();
    await expect(waitForObject(sourceOf(role(), [{ type: "MODIFIED", object: role({ type: "Ready", status: "True" }) }]), opts(clock))).resolves.toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("returns when the object is deleted while waiting for delete", async () => {
    await expect(waitForObject(sourceOf(role(), [{ type: "DELETED", object: role() }]), opts(new FakeClock(), { type: "delete" }))).resolves.toBeUndefined();
  });

  it("fails at once when the object to wait on does not exist", async () => {
    await expect(waitForObject(sourceOf(undefined), opts(new FakeClock()))).rejects.toThrow(new WaitError("role.security.clawbernetes.com/r not found"));
  });

  it("times out on the clock, saying what it saw last and how to wait longer", async () => {
    const clock = new FakeClock();
    const outcome = waitForObject(sourceOf(role({ type: "Ready", status: "False" })), opts(clock)).catch((err: unknown) => err);
    await flush();
    clock.step(59_999);
    await flush();
    expect(clock.pendingTimers()).toBe(1);
    clock.step(1);
    expect(await outcome).toEqual(new WaitError("timed out after 1m waiting for role.security.clawbernetes.com/r for condition Ready=True (Ready is False); wait longer with --timeout"));
    expect(clock.pendingTimers()).toBe(0);
  });
});
