import { describe, expect, it } from "vitest";
import { AUDIT_API, auditPaths } from "../../../api/types/audit-api.js";
import { AUTH_API, SECURITY_API, authPaths } from "../../../api/types/auth-api.js";
import { guardPaths } from "../../../api/types/guard-api.js";
import { mfaPaths } from "../../../api/types/mfa-api.js";
import { securityCheckPath } from "../../../api/types/security-check-api.js";
import { plural as apiKeys } from "../../../api/types/api-key.js";
import { plural as blockRules } from "../../../api/types/block-rule.js";
import { plural as certificates } from "../../../api/types/certificate.js";
import { plural as nodes } from "../../../api/types/node.js";
import { plural as secrets } from "../../../api/types/secret.js";
import * as web from "./paths.js";

describe("the dashboard's paths", () => {
  it.each([
    ["the auth group", web.AUTH_API, AUTH_API],
    ["the security group", web.SECURITY_API, SECURITY_API],
    ["the audit group", web.AUDIT_API, AUDIT_API],
    ["login", web.dashboardPaths.login, authPaths.login],
    ["logout", web.dashboardPaths.logout, authPaths.logout],
    ["whoami", web.dashboardPaths.whoami, authPaths.whoami],
    ["audit events", web.dashboardPaths.auditEvents, auditPaths.events],
    ["reputation", web.dashboardPaths.reputation, guardPaths.reputation],
    ["the security check", web.dashboardPaths.securityCheck, securityCheckPath],
    ["MFA status", web.dashboardPaths.mfaStatus("a b"), mfaPaths.status("a b")],
    ["MFA enroll", web.dashboardPaths.mfaEnroll("alice"), mfaPaths.enroll("alice")],
    ["MFA confirm", web.dashboardPaths.mfaConfirm("alice"), mfaPaths.confirm("alice")],
    ["blockrules", web.dashboardPaths.list("blockrules"), `${SECURITY_API}/${blockRules}`],
    ["certificates", web.dashboardPaths.list("certificates"), `${SECURITY_API}/${certificates}`],
    ["apikeys", web.dashboardPaths.list("apikeys"), `${SECURITY_API}/${apiKeys}`],
    ["secrets", web.dashboardPaths.list("secrets"), `${SECURITY_API}/${secrets}`],
    ["nodes", web.dashboardPaths.list("nodes"), `${SECURITY_API}/${nodes}`],
  ])("agree with the contract for %s", (_what, dashboard, contract) => {
    expect(dashboard).toBe(contract);
  });
});
