// The [alerts] section of gateway.toml: the webhook alerts are delivered to and the rules' thresholds,
// parsed and checked once, with errors that say which key is wrong and what it takes.

export const ALERT_RULES = ["failed_logins_per_user", "failed_logins_per_source", "forbidden_per_actor", "admin_new_source", "secret_access_denied"] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];

export interface AlertRuleConfig {
  enabled: boolean;
  /** How many matching events within the window raise the alert. */
  threshold: number;
  /** The sliding window; for admin_new_source, how long an address stays known. */
  windowMs: number;
}

export interface AlertsConfig {
  enabled: boolean;
  /** http(s) URL alerts are POSTed to (a JSON array of security.alert entries); "" records them only. */
  webhook: string;
  timeoutMs: number;
  /** Backoff between retries doubles from 1 s up to this. */
  maxBackoffMs: number;
  rules: Record<AlertRuleName, AlertRuleConfig>;
}

export class AlertsConfigError extends Error {
  override name = "AlertsConfigError";
}

const DAY_SECS = 86_400;
const DEFAULTS: Record<AlertRuleName, { threshold: number; windowSecs: number }> = {
  failed_logins_per_user: { threshold: 5, windowSecs: 300 },
  failed_logins_per_source: { threshold: 20, windowSecs: 300 },
  forbidden_per_actor: { threshold: 20, windowSecs: 60 },
  admin_new_source: { threshold: 1, windowSecs: 30 * DAY_SECS },
  secret_access_denied: { threshold: 1, windowSecs: 300 },
};
/** Rules that fire on one event: a threshold other than 1 means nothing for them. */
const SINGLE_EVENT: readonly AlertRuleName[] = ["admin_new_source"];
const ALERT_KEYS = ["enabled", "webhook", "timeout_seconds", "max_backoff_seconds", "rules"];
const RULE_KEYS = ["enabled", "threshold", "window_secs"];

const isRuleName = (name: string): name is AlertRuleName => (ALERT_RULES as readonly string[]).includes(name);

export function parseAlertsConfig(raw: unknown, opts: { source?: string } = {}): AlertsConfig {
  const file = opts.source ?? "gateway.toml";
  const where = `${file} [alerts]`;
  const t = table(raw ?? {}, where);
  unknownKeys(t, ALERT_KEYS, where);
  const enabled = bool(t, "enabled", where) ?? false;
  const webhook = str(t, "webhook", where) ?? "";
  if (webhook) checkUrl(webhook, where);
  const rulesTable = table(t.rules ?? {}, `${where} rules`);
  const unknownRules = Object.keys(rulesTable).filter((k) => !isRuleName(k));
  if (unknownRules.length > 0) throw new AlertsConfigError(`${file} [alerts.rules] has unknown rule(s) ${unknownRules.join(", ")}; known rules: ${ALERT_RULES.join(", ")}`);
  const rules = {} as Record<AlertRuleName, AlertRuleConfig>;
  for (const name of ALERT_RULES) rules[name] = parseRule(rulesTable[name], name, `${file} [alerts.rules.${name}]`);
  return {
    enabled,
    webhook,
    timeoutMs: integer(t, "timeout_seconds", { min: 1, max: 600, fallback: 10 }, where) * 1000,
    maxBackoffMs: integer(t, "max_backoff_seconds", { min: 1, max: 3600, fallback: 60 }, where) * 1000,
    rules,
  };
}

function parseRule(raw: unknown, name: AlertRuleName, where: string): AlertRuleConfig {
  const t = table(raw ?? {}, where);
  unknownKeys(t, RULE_KEYS, where);
  const single = SINGLE_EVENT.includes(name);
  if (single && t.threshold !== undefined && t.threshold !== 1) throw new AlertsConfigError(`${where} threshold: this rule fires on a single login from a new address; leave threshold out (window_secs says how long an address stays known)`);
  const d = DEFAULTS[name];
  return {
    enabled: bool(t, "enabled", where) ?? true,
    threshold: integer(t, "threshold", { min: 1, max: 1_000_000, fallback: d.threshold }, where),
    windowMs: integer(t, "window_secs", { min: 1, max: 365 * DAY_SECS, fallback: d.windowSecs }, where) * 1000,
  };
}

function checkUrl(text: string, where: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) throw new AlertsConfigError(`${where} webhook "${text}" is not an http(s) URL (for example webhook = "https://hooks.example.com/claw")`);
  if (url.username || url.password) throw new AlertsConfigError(`${where} webhook must not carry credentials in the URL`);
}

function table(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AlertsConfigError(`${where} must be a table`);
  return raw as Record<string, unknown>;
}

function unknownKeys(t: Record<string, unknown>, known: string[], where: string): void {
  const unknown = Object.keys(t).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new AlertsConfigError(`${where} has unknown key(s) ${unknown.join(", ")}; known keys: ${known.join(", ")}`);
}

function bool(t: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const value = t[key];
  if (value === undefined || typeof value === "boolean") return value;
  throw new AlertsConfigError(`${where} ${key} must be a boolean (true or false), not ${JSON.stringify(value)}`);
}

function str(t: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = t[key];
  if (value === undefined || typeof value === "string") return value;
  throw new AlertsConfigError(`${where} ${key} must be a string, not ${JSON.stringify(value)}`);
}

function integer(t: Record<string, unknown>, key: string, range: { min: number; max: number; fallback: number }, where: string): number {
  const value = t[key];
  if (value === undefined) return range.fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max)
    throw new AlertsConfigError(`${where} ${key} must be a whole number from ${range.min} to ${range.max}, not ${JSON.stringify(value)}`);
  return value;
}

/** The defaults (alerts off), for tests and embedders. */
export const defaultAlertsConfig = (): AlertsConfig => parseAlertsConfig({});
