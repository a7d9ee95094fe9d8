// `GET /apis/security.clawbernetes.com/v1/securitycheck`: the guide's Security Checklist judged against the live
// deployment by the answering server (the only place that sees every module's configuration). Evidence names
// facts, never a secret value.

export const securityCheckPath = "/apis/security.clawbernetes.com/v1/securitycheck";

export type SecurityCheckSeverity = "critical" | "high" | "medium" | "low";
export type SecurityCheckResult = "pass" | "fail" | "n/a";

export const SEVERITY_ORDER: readonly SecurityCheckSeverity[] = ["critical", "high", "medium", "low"];

export interface SecurityCheckItem {
  /** Stable, kebab-case: `tls`, `jwt-secret`. */
  id: string;
  title: string;
  /** The checklist heading it comes from: Initial Setup, User Management, Secrets, Network, Monitoring. */
  section: string;
  severity: SecurityCheckSeverity;
  result: SecurityCheckResult;
  /** One sentence with the facts seen. */
  evidence: string;
  /** The command or gateway.toml setting that fixes a failure. */
  remediation: string;
}

export interface SecurityCheckScore {
  passed: number;
  /** Items that are not n/a. */
  applicable: number;
  /** passed / applicable as a whole percentage; 100 when nothing applies. */
  percent: number;
}

export interface SecurityCheckReport {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "SecurityCheck";
  checkedAt: string;
  score: SecurityCheckScore;
  items: SecurityCheckItem[];
}

export function scoreOf(items: readonly SecurityCheckItem[]): SecurityCheckScore {
  const applicable = items.filter((i) => i.result !== "n/a").length;
  const passed = items.filter((i) => i.result === "pass").length;
  return { passed, applicable, percent: applicable === 0 ? 100 : Math.floor((passed * 100) / applicable) };
}

/** True when a critical item failed: `claw security check` exits 1. */
export const criticalFailed = (items: readonly SecurityCheckItem[]): boolean => items.some((i) => i.severity === "critical" && i.result === "fail");
