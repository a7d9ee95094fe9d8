// The security check: every checklist item judged against one gathered input, in the checklist's order.

import { scoreOf, type SecurityCheckItem, type SecurityCheckReport } from "../../api/types/security-check-api.js";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { ACCOUNT_CHECKS } from "./security-check-accounts.js";
import type { CheckDefinition, SecurityCheckInput } from "./security-check-input.js";
import { SETUP_CHECKS } from "./security-check-setup.js";

export const SECURITY_CHECKS: readonly CheckDefinition[] = [...SETUP_CHECKS, ...ACCOUNT_CHECKS];

export function evaluateSecurityCheck(input: SecurityCheckInput, checks: readonly CheckDefinition[] = SECURITY_CHECKS): SecurityCheckReport {
  const items: SecurityCheckItem[] = checks.map((c) => ({ id: c.id, title: c.title, section: c.section, severity: c.severity, ...c.judge(input), remediation: c.remediation }));
  return { apiVersion: "security.clawbernetes.com/v1", kind: "SecurityCheck", checkedAt: toRfc3339(input.nowMs), score: scoreOf(items), items };
}
