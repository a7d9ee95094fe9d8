// The webhook side of alerts: the SIEM shipper over the alert cursor ships security.alert entries only,
// moves its cursor past everything else, and loses or repeats nothing across an outage and a restart.

import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import type { AuditEvent } from "../client/audit/event.js";
import { defaultAlertsConfig } from "./alerts-config.js";
import { AlertService } from "./alerts.js";
import { ALERT_CURSOR_KEY, EXPORT_CURSOR_KEY } from "./batch-keys.js";
import { ExportCursor } from "./export-cursor.js";
import type { SiemShipper } from "./siem-shipper.js";
import { appendMany, loginEvent, startTestLog, type TestLog } from "./testing/audit-fixture.js";
import { startSiemReceiver, type SiemReceiver } from "./testing/siem-receiver.js";

const alertAt = (i: number): AuditEvent => ({ type: "security.alert", actor: "system:alerts", outcome: "success", details: { rule: "failed_logins_per_user", subject: `user${i}`, count: 5 } });

describe("alert delivery", () => {
  let t: TestLog | undefined;
  let receiver: SiemReceiver | undefined;
  const services: AlertService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    await t?.close();
    await receiver?.stop();
  });

  function service(holder: string, clock: FakeClock, log: TestLog, url: string): SiemShipper {
    const s = new AlertService({ config: { ...defaultAlertsConfig(), enabled: true, webhook: url, maxBackoffMs: 4000 }, store: log.store, batches: log.log.batches, clock, record: async (e) => void (await log.log.append(e)), subscribe: (wake) => log.log.onAppended(wake), holder });
    services.push(s);
    s.start();
    return s.shipper!;
  }

  async function drive(shipper: SiemShipper, clock: FakeClock, done: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) clock.step((await shipper.nextWait()).ms);
  }

  it("ships only alerts, each once, through an outage and a restart", async () => {
    const clock = new FakeClock();
    t = await startTestLog({ clock });
    // Every tenth entry is an alert; the webhook is down for its first three requests.
    const event = (i: number) => (i % 10 === 9 ? alertAt(i) : loginEvent((e) => (e.details = { i })));
    await appendMany(t.log, 200, event);
    receiver = await startSiemReceiver((n) => (n <= 3 ? "503" : "ok"));
    const first = service("server-a", clock, t, receiver.url);
    await drive(first, clock, () => receiver!.accepted.length >= 20);
    await services.shift()!.stop();
    await appendMany(t.log, 100, event);
    const second = service("server-b", clock, t, receiver.url);
    await drive(second, clock, () => receiver!.accepted.length >= 30);
    expect(receiver.accepted).toEqual(Array.from({ length: 30 }, (_, i) => i * 10 + 10));
    expect(receiver.entries.every((e) => e.type === "security.alert")).toBe(true);
    expect(receiver.requests[0]?.idempotencyKey).toMatch(/^claw-alert-10-\d+$/);
    expect(await new ExportCursor(t.store, "x", 1000, ALERT_CURSOR_KEY).read()).toMatchObject({ seq: 300, holder: "server-b" });
    expect(await new ExportCursor(t.store, "x", 1000, EXPORT_CURSOR_KEY).read()).toBeUndefined();
  });
});
