// The security posture panels: the security check's score with its failing items, and the recent alerts the
// alert rules recorded in the audit log. Like panels.ts, a refusal is left to app.ts ("Not permitted.").

import type { AuditEventList } from "../../../api/types/audit-api.js";
import type { SecurityCheckReport } from "../../../api/types/security-check-api.js";
import { callApi } from "./api.js";
import type { Panel } from "./panel.js";
import { dashboardPaths, SECURITY_ALERT_TYPE } from "./paths.js";
import { alertRows, failingItems, scoreLevel } from "./security-model.js";
import { scoreBar } from "./svg.js";
import { badge, el, empty, localTime, table } from "./view.js";

const SEVERITY_TONE = { critical: "critical", high: "critical", medium: "warn", low: "muted" } as const;

export const securityScore: Panel = {
  id: "score",
  title: "Security check",
  everyMs: 60_000,
  async load(session) {
    const report = await callApi<SecurityCheckReport>(dashboardPaths.securityCheck, { session });
    const { percent, passed, applicable } = report.score;
    const level = scoreLevel(percent);
    const failing = failingItems(report.items);
    const head = el("div", { className: "score" }, [
      el("span", { className: `score-number ${level}`, text: `${percent}%` }),
      el("div", {}, [scoreBar(percent, level), el("p", { className: "note", text: `${passed} of ${applicable} checks pass; checked ${localTime(Date.parse(report.checkedAt))}.` })]),
    ]);
    if (failing.length === 0) return el("div", {}, [head, empty("Every applicable check passes.")]);
    const rows = failing.map((i) => el("li", { className: "check" }, [badge(i.severity, SEVERITY_TONE[i.severity]), el("strong", { text: ` ${i.title}` }), el("p", { className: "note", text: i.evidence }), el("p", { className: "fix", text: `Fix: ${i.remediation}` })]));
    return el("div", {}, [head, el("ul", { className: "checks" }, rows)]);
  },
};

const ALERT_ROWS = 20;

export const recentAlerts: Panel = {
  id: "alerts",
  title: "Recent alerts",
  everyMs: 10_000,
  async load(session) {
    const page = await callApi<AuditEventList>(`${dashboardPaths.auditEvents}?type=${encodeURIComponent(SECURITY_ALERT_TYPE)}&last=${ALERT_ROWS}`, { session });
    const rows = alertRows(page.items);
    if (rows.length === 0) return empty("No alerts recorded.");
    return table(["rule", "subject", "count", "when"], rows.map((r) => [r.rule, r.subject, String(r.count), localTime(r.at)]));
  },
};
