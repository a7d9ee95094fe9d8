// The panels: each reads the REST API with the viewer's session and returns what to show. A refusal is not
// handled here: app.ts shows "not permitted" for a 403, so each panel only knows what it shows.

import type { AuditEntry } from "../../../api/client/audit/event.js";
import type { KubeList, KubeObject } from "../../../api/machinery/meta.js";
import type { ApiKey } from "../../../api/types/api-key.js";
import type { AuditEventList, AuditWatchEvent } from "../../../api/types/audit-api.js";
import type { BlockRule } from "../../../api/types/block-rule.js";
import type { Certificate } from "../../../api/types/certificate.js";
import type { ReputationList } from "../../../api/types/guard-api.js";
import type { Node as ClawNode } from "../../../api/types/node.js";
import type { Secret } from "../../../api/types/secret.js";
import { ApiFailure, callApi, watchApi, type Session } from "./api.js";
import { expiringSoonest, secretsDue, securityTimeline, TIMELINE_TYPES, timeLeft } from "./model.js";
import { mfaPanel } from "./mfa-panel.js";
import type { Panel } from "./panel.js";
import { dashboardPaths } from "./paths.js";
import { recentAlerts, securityScore } from "./security-panels.js";
import { expiryBar, timeline } from "./svg.js";
import { badge, el, empty, localTime, table } from "./view.js";

export type { Panel };

const list = <T extends KubeObject>(session: Session, plural: Parameters<typeof dashboardPaths.list>[0]): Promise<T[]> => callApi<KubeList<T>>(dashboardPaths.list(plural), { session }).then((l) => l.items);

/** A list the viewer may not read is absent (undefined), so a panel of two lists shows the one they may. */
const unlessForbidden = <T>(pending: Promise<T>): Promise<T | undefined> => pending.catch((err: unknown) => (err instanceof ApiFailure && err.status === 403 ? undefined : Promise.reject(err)));

const AUDIT_ROWS = 50;

/**
 * The live audit stream: the last entries once, then the audit watch (events?watch=true&afterSeq=…) adds each
 * new entry as the server appends it. A stream that ends (a restart, a timeout) is reopened by the next load
 * from the last seq seen, so nothing is missed or shown twice.
 */
function auditStream(): Panel {
  let entries: AuditEntry[] = [];
  let afterSeq: number | undefined;
  let live: AbortController | undefined;
  const status = el("p", { className: "note" });
  const rows = el("div", {});
  const box = el("div", {}, [status, rows]);
  const tone = (o: AuditEntry["outcome"]) => (o === "success" ? "ok" : o === "denied" ? "critical" : "warn");
  const render = () =>
    rows.replaceChildren(
      entries.length === 0
        ? empty("No audit entries yet.")
        : table(
            ["seq", "time", "type", "actor", "outcome", "resource"],
            entries.map((e) => [String(e.seq), localTime(Date.parse(e.time)), e.type, e.actor, badge(e.outcome, tone(e.outcome)), e.resource ? `${e.resource.kind}${e.resource.name ? `/${e.resource.name}` : ""}` : ""]),
          ),
    );
  const add = (event: unknown) => {
    const e = event as AuditWatchEvent;
    if (e.type === "ADDED") {
      entries = [e.object, ...entries].slice(0, AUDIT_ROWS);
      afterSeq = Math.max(afterSeq ?? 0, e.object.seq);
      render();
    } else if (e.type === "BOOKMARK") afterSeq = Math.max(afterSeq ?? 0, e.object.seq);
  };
  return {
    id: "audit",
    title: "Audit stream",
    everyMs: 3_000,
    async load(session) {
      if (live) return box;
      if (afterSeq === undefined) {
        const page = await callApi<AuditEventList>(`${dashboardPaths.auditEvents}?last=${AUDIT_ROWS}`, { session });
        entries = page.items.slice().reverse();
        afterSeq = Math.max(page.metadata.headSeq, ...page.items.map((e) => e.seq));
        render();
      }
      const abort = new AbortController();
      const opened = await watchApi(`${dashboardPaths.auditEvents}?watch=true&afterSeq=${afterSeq}`, { session, signal: abort.signal }, add);
      live = abort;
      box.dataset.live = "true";
      status.textContent = "Live: new entries appear as they are recorded.";
      void opened.ended.then(() => {
        if (live !== abort) return;
        live = undefined;
        delete box.dataset.live;
        status.textContent = "Reconnecting…";
      });
      return box;
    },
    stop() {
      live?.abort();
      live = undefined;
    },
  };
}

const blocks: Panel = {
  id: "blocks",
  title: "Active blocks",
  everyMs: 10_000,
  async load(session) {
    const rules = (await list<BlockRule>(session, "blockrules")).filter((r) => r.status?.active !== false);
    if (rules.length === 0) return empty("No active blocks.");
    const now = Date.now();
    return table(
      ["name", "source", "reason", "origin", "expires in"],
      rules.map((r) => [r.metadata.name, r.spec?.cidr ?? "", r.spec?.reason ?? "", r.spec?.source ?? "manual", r.status?.expiresAt ? timeLeft(now, Date.parse(r.status.expiresAt)) : r.spec?.duration || r.spec?.expiresAt ? "pending" : "never"]),
    );
  },
};

const reputation: Panel = {
  id: "reputation",
  title: "Lowest reputations",
  everyMs: 10_000,
  async load(session) {
    const rep = await callApi<ReputationList>(`${dashboardPaths.reputation}?limit=10`, { session });
    if (rep.items.length === 0) return empty(`No source below neutral on ${rep.server}.`);
    return el("div", {}, [
      el("p", { className: "note", text: `As seen by ${rep.server}; auto-block at ${rep.threshold}.` }),
      table(
        ["source", "score", "violations", "last", "blocked"],
        rep.items.map((s) => [s.source, s.score.toFixed(1), Object.entries(s.violations).map(([k, n]) => `${k} ${n}`).join(", "), localTime(Date.parse(s.lastViolation)), s.blocked ? badge("blocked", "critical") : badge("no", "muted")]),
      ),
    ]);
  },
};

const expiry: Panel = {
  id: "expiry",
  title: "Certificates and API keys near expiry",
  everyMs: 30_000,
  async load(session) {
    // Either list may be refused on its own: the panel shows what the viewer may see of the two.
    const [certificates, apiKeys] = await Promise.all([unlessForbidden(list<Certificate>(session, "certificates")), unlessForbidden(list<ApiKey>(session, "apikeys"))]);
    // Both refused: the panel's ordinary "not permitted".
    if (!certificates && !apiKeys) throw new ApiFailure(403, { reason: "Forbidden", message: "the viewer may list neither certificates nor API keys" });
    const now = Date.now();
    const items = expiringSoonest({ certificates: certificates ?? [], apiKeys: apiKeys ?? [], now, limit: 12 });
    const partial = !certificates || !apiKeys ? [el("p", { className: "note", text: `Not permitted to list ${certificates ? "API keys" : "certificates"}; showing ${certificates ? "certificates" : "API keys"} only.` })] : [];
    if (items.length === 0) return el("div", {}, [...partial, empty("No certificate or API key with an expiry.")]);
    return el("div", {}, [...partial, table(
      ["kind", "name", "life left", "expires in", "expires"],
      items.map((i) => [i.kind, i.name, expiryBar(i), badge(timeLeft(now, i.end), i.level), localTime(i.end)]),
    )]);
  },
};

const secrets: Panel = {
  id: "secrets",
  title: "Secrets due for rotation",
  everyMs: 30_000,
  async load(session) {
    const all = await list<Secret>(session, "secrets");
    const now = Date.now();
    const due = secretsDue({ secrets: all, now, withinDays: 14 });
    const manual = all.filter((s) => !s.spec?.rotation?.autoRotate).length;
    const note = el("p", { className: "note", text: `${all.length} secret${all.length === 1 ? "" : "s"}; ${manual} without automatic rotation.` });
    if (due.length === 0) return el("div", {}, [note, empty("No rotation due within 14 days.")]);
    return el("div", {}, [note, table(["secret", "due", "in"], due.map((d) => [d.name, localTime(d.dueAt), d.overdue ? badge("overdue", "critical") : badge(timeLeft(now, d.dueAt), d.daysLeft < 2 ? "warn" : "ok")]))]);
  },
};

const failedLogins: Panel = {
  id: "logins",
  title: "Failed authentications and blocks, last 24 hours",
  everyMs: 15_000,
  async load(session) {
    const now = Date.now();
    const since = new Date(now - 24 * 3_600_000).toISOString();
    const entries: AuditEntry[] = [];
    // Every page of the day: a busy day is more than one page, and a short count would understate an attack.
    for (let after: string | undefined, pages = 0; pages < 20; pages++) {
      const page = await callApi<AuditEventList>(`${dashboardPaths.auditEvents}?type=${TIMELINE_TYPES.join(",")}&since=${encodeURIComponent(since)}&limit=5000${after ? `&afterSeq=${after}` : ""}`, { session });
      entries.push(...page.items);
      after = page.metadata.continue;
      if (!after) break;
    }
    const buckets = securityTimeline({ entries, now, hours: 24 });
    const failures = buckets.reduce((n, b) => n + b.failures, 0);
    const blocks = buckets.reduce((n, b) => n + b.blocks, 0);
    return el("div", {}, [el("p", { className: "note", text: `${failures} failed authentication${failures === 1 ? "" : "s"}, ${blocks} blocked request${blocks === 1 ? "" : "s"}.` }), timeline(buckets)]);
  },
};

const nodes: Panel = {
  id: "nodes",
  title: "Nodes",
  everyMs: 10_000,
  async load(session) {
    const all = await list<ClawNode>(session, "nodes");
    if (all.length === 0) return empty("No nodes registered.");
    const connected = all.filter((n) => n.status?.connected).length;
    const now = Date.now();
    return el("div", {}, [
      el("p", { className: "note", text: `${connected} of ${all.length} connected.` }),
      table(
        ["node", "connected", "last heartbeat", "mesh address", "agent", "cert expires in"],
        all.map((n) => [
          n.metadata.name,
          n.status?.connected ? badge("connected", "ok") : badge("disconnected", "muted"),
          n.status?.lastHeartbeatTime ? localTime(Date.parse(n.status.lastHeartbeatTime)) : "—",
          n.status?.mesh?.address ?? "—",
          n.status?.agentVersion ?? "—",
          n.status?.certificate?.notAfter ? timeLeft(now, Date.parse(n.status.certificate.notAfter)) : "—",
        ]),
      ),
    ]);
  },
};

/** Every panel, in page order; a fresh set per session (the audit stream remembers where it is, the MFA panel its enrolment). */
export const dashboardPanels = (): Panel[] => [auditStream(), securityScore, recentAlerts, blocks, reputation, expiry, secrets, failedLogins, nodes, mfaPanel()];
