// Through the real server: a burst of failed logins against one user is one alert, recorded in the log,
// counted in /metrics and delivered once to a webhook on 127.0.0.1 — even when the webhook fails first.

import { afterEach, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { FakeClock } from "../machinery/clock.js";
import { authPaths } from "../types/auth-api.js";
import { auditPaths } from "../types/audit-api.js";
import { createUser } from "../auth/testing/identity-fixtures.js";
import type { SiemShipper } from "./siem-shipper.js";
import { startSiemReceiver, type Answer, type SiemReceiver } from "./testing/siem-receiver.js";

describe("alerts over HTTP", () => {
  let env: EnvTest | undefined;
  let receiver: SiemReceiver | undefined;
  afterEach(async () => {
    await env?.stop();
    await receiver?.stop();
    env = receiver = undefined;
  });

  async function setup(schedule: (n: number) => Answer) {
    const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
    receiver = await startSiemReceiver(schedule);
    const url = receiver.url;
    env = await startEnvTest({ clock, passwordParams: { N: 2 ** 10, r: 8, p: 1 }, alerts: (c) => (c.webhook = url) });
    await createUser(env, "alice", []);
    return { clock, env, receiver, shipper: env.audit!.alerts!.shipper! };
  }

  const failLogins = (e: EnvTest, n: number) =>
    Promise.all(Array.from({ length: n }, () => fetch(e.url + authPaths.login, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "alice", password: "wrong password" }) })));

  /** Steps the fake clock through the shipper's waits until `done` holds (or `rounds` waits passed). */
  async function drive(shipper: SiemShipper, clock: FakeClock, done: () => boolean, rounds = 200): Promise<void> {
    for (let i = 0; i < rounds && !done(); i++) {
      // Every wait handed out is stepped, so the next drive finds the shipper moving.
      clock.step((await shipper.nextWait()).ms);
    }
  }

  const alertsAt = (r: SiemReceiver) => r.entries.filter((e) => e.type === "security.alert");

  it("turns a burst of failed logins against one user into exactly one alert, with the count", async () => {
    const { clock, env: e, receiver: r, shipper } = await setup(() => "ok");
    const refused = await failLogins(e, 12);
    expect(refused.map((x) => x.status)).toEqual(Array(12).fill(401));
    await e.audit!.alerts!.settled();
    await drive(shipper, clock, () => alertsAt(r).length > 0);
    await failLogins(e, 5);
    await e.audit!.alerts!.settled();
    await drive(shipper, clock, () => false, 5);
    expect(alertsAt(r)).toHaveLength(1);
    expect(alertsAt(r)[0]).toMatchObject({ actor: "system:alerts", details: { rule: "failed_logins_per_user", subject: "alice", count: 5, threshold: 5, windowSecs: 300 } });
    expect(JSON.stringify(r.entries)).not.toContain("wrong password");
    const logged = (await (await e.request(`${auditPaths.events}?type=security.alert`)).json()) as { items: { details: { rule: string } }[] };
    expect(logged.items.map((i) => i.details.rule)).toEqual(["failed_logins_per_user"]);
    expect(await (await e.request("/metrics")).text()).toMatch(/claw_alerts_total\{rule="failed_logins_per_user"\} 1/);
  });

  it("delivers the alert exactly once to a webhook that fails its first attempts", async () => {
    const { clock, env: e, receiver: r, shipper } = await setup((n) => (n === 1 ? "503" : n === 2 ? "reset" : "ok"));
    await failLogins(e, 6);
    await e.audit!.alerts!.settled();
    await drive(shipper, clock, () => alertsAt(r).length > 0);
    await drive(shipper, clock, () => false, 5);
    expect(r.requests.map((q) => q.answer).slice(0, 3)).toEqual(["503", "reset", "ok"]);
    expect(alertsAt(r)).toHaveLength(1);
    expect(r.accepted).toHaveLength(1);
    expect(new Set(r.requests.map((q) => q.idempotencyKey)).size).toBe(1);
    expect(alertsAt(r)[0]!.details).toMatchObject({ rule: "failed_logins_per_user", subject: "alice", count: 5 });
  });
});
