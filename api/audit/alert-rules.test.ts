import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../client/audit/event.js";
import { FakeClock } from "../machinery/clock.js";
import { AlertRules, type Alert } from "./alert-rules.js";
import { defaultAlertsConfig } from "./alerts-config.js";

const failedLogin = (user: string, ip = "10.0.0.7"): AuditEvent => ({ type: "auth.login", actor: user, sourceIp: ip, outcome: "failure", details: { method: "password" } });
const login = (user: string, ip: string): AuditEvent => ({ type: "auth.login", actor: user, sourceIp: ip, outcome: "success", details: { method: "password" } });
const forbidden = (actor: string): AuditEvent => ({ type: "security.violation", actor, sourceIp: "10.0.0.9", outcome: "denied", details: { status: 403 } });
const secretDenied = (workload: string, secret: string): AuditEvent => ({ type: "secrets.accessed", actor: workload, resource: { group: "security.clawbernetes.com", kind: "Secret", name: secret }, outcome: "denied", details: {} });

/** A step of a scenario: wait `after` ms, then record `event` `times` times. */
interface Step {
  after?: number;
  event: AuditEvent;
  times?: number;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

async function run(steps: Step[], admins: string[] = ["root"]): Promise<Alert[]> {
  const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
  const rules = new AlertRules({ rules: defaultAlertsConfig().rules, isAdmin: (user) => admins.includes(user) });
  const alerts: Alert[] = [];
  for (const step of steps) {
    clock.step(step.after ?? 0);
    for (let i = 0; i < (step.times ?? 1); i++) alerts.push(...(await rules.observe(step.event, clock.now())));
  }
  return alerts;
}

const summary = (alerts: Alert[]) => alerts.map((a) => `${a.rule} ${a.subject} ${a.count}${a.suppressed ? ` +${a.suppressed}` : ""}`);

describe("AlertRules", () => {
  it.each<[string, Step[], string[]]>([
    ["four failed logins against one user raise nothing", [{ event: failedLogin("alice"), times: 4 }], []],
    ["the fifth failed login within five minutes raises one alert", [{ event: failedLogin("alice"), times: 4 }, { after: 4 * MIN, event: failedLogin("alice") }], ["failed_logins_per_user alice 5"]],
    ["five failures spread over more than five minutes raise nothing", [{ event: failedLogin("alice"), times: 4 }, { after: 5 * MIN + 1, event: failedLogin("alice") }], []],
    ["a burst of 100 against one user is one alert", [{ event: failedLogin("alice", "10.0.0.1"), times: 4 }, { event: failedLogin("alice", "10.0.0.2"), times: 96 }], ["failed_logins_per_user alice 5", "failed_logins_per_source 10.0.0.2 20"]],
    [
      "the burst goes on after the window: it is raised again with what was suppressed",
      [{ event: failedLogin("alice", "10.0.0.1"), times: 10 }, { after: 5 * MIN, event: failedLogin("alice", "10.0.0.1"), times: 5 }],
      ["failed_logins_per_user alice 5", "failed_logins_per_user alice 5 +5"],
    ],
    ["failures against different users from one address count against the address", [...Array.from({ length: 20 }, (_, i) => ({ event: failedLogin(`user${i}`, "203.0.113.5") }))], ["failed_logins_per_source 203.0.113.5 20"]],
    ["twenty 403s within a minute from one actor raise one alert", [{ event: forbidden("bob"), times: 25 }], ["forbidden_per_actor bob 20"]],
    ["twenty 403s over more than a minute raise nothing", Array.from({ length: 20 }, () => ({ after: 4000, event: forbidden("bob") })), []],
    ["a denied secret read raises at once, once per window", [{ event: secretDenied("job-7", "db-password"), times: 3 }], ["secret_access_denied job-7 → db-password 1"]],
    ["an admin logging in from a new address raises an alert", [{ event: login("root", "10.0.0.1") }, { after: DAY, event: login("root", "198.51.100.4") }], ["admin_new_source root from 198.51.100.4 1"]],
    ["an admin's known address raises nothing", [{ event: login("root", "10.0.0.1") }, { after: 29 * DAY, event: login("root", "10.0.0.1") }], []],
    ["an address not seen for more than 30 days is new again", [{ event: login("root", "10.0.0.1") }, { after: 1, event: login("root", "10.0.0.2") }, { after: 31 * DAY, event: login("root", "10.0.0.1") }], ["admin_new_source root from 10.0.0.2 1", "admin_new_source root from 10.0.0.1 1"]],
    ["an admin's first login sets the baseline", [{ event: login("root", "10.0.0.1") }], []],
    ["a user without the admin role logging in from anywhere raises nothing", [{ event: login("alice", "10.0.0.1") }, { event: login("alice", "10.0.0.2") }], []],
  ])("%s", async (_name, steps, expected) => {
    expect(summary(await run(steps))).toEqual(expected);
  });

  it("reports the window, the first and last event counted, and never a credential", async () => {
    const [alert] = await run([{ event: failedLogin("alice"), times: 4 }, { after: 90_000, event: failedLogin("alice") }]);
    expect(alert).toEqual({ rule: "failed_logins_per_user", subject: "alice", count: 5, threshold: 5, windowSecs: 300, firstSeen: Date.parse("2026-03-01T08:00:00Z"), lastSeen: Date.parse("2026-03-01T08:01:30Z") });
  });

  it("keeps a bounded number of subjects per rule", async () => {
    const rules = new AlertRules({ rules: defaultAlertsConfig().rules, isAdmin: () => false, maxSubjects: 3 });
    for (let i = 0; i < 10; i++) await rules.observe(failedLogin(`user${i}`, `10.0.0.${i}`), 0);
    const alerts = [];
    for (let i = 0; i < 5; i++) alerts.push(...(await rules.observe(failedLogin("user9", "10.0.0.9"), 1)));
    expect(summary(alerts)).toEqual(["failed_logins_per_user user9 5"]);
  });
});
