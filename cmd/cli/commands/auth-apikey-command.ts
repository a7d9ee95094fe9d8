// `claw auth apikey create | list | revoke | rotate | secret`: the guide's box, shown once per secret.

import type { Command } from "commander";
import type { RestClient } from "../../../api/client/rest-client.js";
import { isAlreadyExists } from "../../../api/machinery/errors.js";
import { API_VERSION } from "../../../api/machinery/meta.js";
import type { ApiKey, ApiKeySpec } from "../../../api/types/api-key.js";
import { isInactive } from "../../../api/types/credential-activity.js";
import { parseDuration } from "../../../api/types/duration.js";
import { renderApiKeyBox } from "../api-key-box.js";
import { apiKeyObjectName } from "../api-key-name.js";
import { FailureLog, runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { ExitCode } from "../exit-codes.js";
import { guardedPatch } from "../guarded-patch.js";
import { lastActiveCell, parseInactive } from "../inactive-filter.js";
import { formatPermissions, parsePermissionList } from "../permission-list.js";
import { renderRows } from "../printers/row-table.js";
import type { AuthCommandContext } from "./auth-context.js";

const APIKEYS = "apikeys";
/** Names tried (`x`, `x-2`, … `x-20`) before giving up on a display name whose name is always taken. */
const NAME_ATTEMPTS = 20;

interface CreateFlags {
  name: string;
  scopes: string[];
  expires?: string;
  owner?: string;
}

export function addApiKeyCommands(auth: Command, ctx: AuthCommandContext): void {
  const { session } = ctx;
  const apikey = auth.command("apikey").description("manage API keys: create, list, revoke, rotate");

  apikey
    .command("create")
    .description("create an API key and print its secret, once")
    .requiredOption("--name <display name>", 'what the key is for, such as "CI/CD Pipeline"')
    .requiredOption("--scopes <list>", 'comma-separated resource:action permissions the key is limited to, such as "workloads:*,nodes:read"', (v: string, p: string[] = []) => [...p, v])
    .option("--expires <when>", "a duration such as 90d or 36h, an RFC 3339 time, or never (the default)")
    .option("--owner <user>", "the user who owns the key (default: you)")
    .action(runAction(session, (flags: CreateFlags) => createKey(ctx, flags)));

  apikey
    .command("list")
    .description("list API keys (never their secrets): key id, name, owner, scopes, expiry, status, last use")
    .option("--owner <user>", "only the keys of this user")
    .option("--inactive <duration>", "only keys unused for longer than this, such as 90d (a key never used counts once older than it)")
    .action(runAction(session, (flags: { owner?: string; inactive?: string }) => listKeys(session, flags)));

  apikey
    .command("revoke")
    .description("revoke an API key at once (it cannot be undone)")
    .argument("<key>", "the key id (ak_…) or the ApiKey object name")
    .action(
      runAction(session, async (ref: string) => {
        const client = await session.client();
        const key = await findKey(session, client, ref);
        const result = await guardedPatch<ApiKey>({
          client,
          plural: APIKEYS,
          name: key.metadata.name,
          signal: session.deps.signal,
          change: (live) => (live.spec?.revoked ? undefined : { revoked: true }),
        });
        session.out(`API key ${labelOf(result.object)} ${result.changed ? "revoked" : "was already revoked"}\n`);
      }),
    );

  apikey
    .command("rotate")
    .description("give an API key a new secret (printed once); the old one stops working at once")
    .argument("<key>", "the key id (ak_…) or the ApiKey object name")
    .action(
      runAction(session, async (ref: string) => {
        const key = await findKey(session, await session.client(), ref);
        const secret = await (await ctx.api()).rotateApiKey(key.metadata.name);
        session.out(renderApiKeyBox(secret, "API Key rotated successfully"));
      }),
    );

  apikey
    .command("secret")
    .description("fetch the secret of an ApiKey made from YAML (its owner may, exactly once)")
    .argument("<name>", "the ApiKey object name")
    .action(
      runAction(session, async (name: string) => {
        const secret = await (await ctx.api()).apiKeySecret(name);
        session.out(renderApiKeyBox(secret, "API Key secret retrieved"));
      }),
    );
}

async function createKey(ctx: AuthCommandContext, flags: CreateFlags): Promise<void> {
  const { session } = ctx;
  const scopes = parsePermissionList(flags.scopes, "--scopes");
  const expiry = parseExpires(flags.expires, session.clock.now());
  const owner = flags.owner ?? (await ownerFromCredential(ctx));
  const client = await session.client();
  let created: ApiKey | undefined;
  for (let attempt = 1; !created; attempt++) {
    const name = apiKeyObjectName(flags.name, attempt);
    const object: ApiKey = { apiVersion: API_VERSION, kind: "ApiKey", metadata: { name }, spec: { displayName: flags.name, owner, scopes, ...expiry } };
    try {
      created = await client.create<ApiKey>(APIKEYS, object, { fieldManager: "claw", signal: session.deps.signal });
    } catch (err) {
      if (!isAlreadyExists(err) || attempt >= NAME_ATTEMPTS) throw err;
    }
  }
  const name = created.metadata.name;
  const failures = new FailureLog(session);
  try {
    session.out(renderApiKeyBox(await (await ctx.api()).apiKeySecret(name), "API Key created successfully"));
  } catch (err) {
    failures.report(err, `getting the secret of the new apikey "${name}"`);
    session.err(`The ApiKey "${name}" exists but its secret was not shown: its owner can fetch it once with 'claw auth apikey secret ${name}', or remove it with 'claw delete apikey ${name}'.`);
  }
  failures.finish();
}

/** `--expires`: a duration (spec.duration), an RFC 3339 time (spec.expiresAt), or never. */
export function parseExpires(text: string | undefined, nowMs: number): Pick<ApiKeySpec, "duration" | "expiresAt"> {
  if (text === undefined || text === "never") return {};
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw new UsageError(`--expires: "${text}" is not a valid RFC 3339 time, such as 2026-05-06T08:00:00Z`);
    if (at <= nowMs) throw new UsageError(`--expires: ${text} is in the past`);
    return { expiresAt: text };
  }
  try {
    parseDuration(text);
  } catch {
    throw new UsageError(`--expires: "${text}" is not a duration (a number and a unit d, h, m or s, such as 90d), an RFC 3339 time, or never`);
  }
  return { duration: text };
}

async function ownerFromCredential(ctx: AuthCommandContext): Promise<string> {
  const me = await (await ctx.api()).whoami();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(me.username)) {
    throw new UsageError(`you are authenticated as ${me.username}, which is not a User and cannot own an API key; say who owns it with --owner USER`);
  }
  return me.username;
}

async function listKeys(session: CliSession, flags: { owner?: string; inactive?: string }): Promise<void> {
  const inactiveMs = parseInactive(flags.inactive);
  const list = await (await session.client()).list<ApiKey>(APIKEYS, { signal: session.deps.signal });
  const now = session.clock.now();
  const keys = list.items
    .filter((k) => flags.owner === undefined || k.spec?.owner === flags.owner)
    .filter((k) => inactiveMs === undefined || isInactive(k, { nowMs: now, afterMs: inactiveMs }))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (keys.length === 0) return session.err("No resources found");
  const rows = keys.map((k) => [
    k.status?.keyId ?? "<pending>",
    k.metadata.name,
    k.spec?.displayName,
    k.spec?.owner,
    formatPermissions(k.spec?.scopes ?? []),
    k.status?.expiresAt ?? k.spec?.expiresAt ?? (k.spec?.duration ? `${k.spec.duration} after creation` : "never"),
    apiKeyState(k, now),
    lastActiveCell(k.status?.lastUsedTime, now),
  ]);
  const columns = ["Key ID", "Name", "Display Name", "Owner", "Scopes", "Expires", "Status", "Last Used"].map((name) => ({ name }));
  session.out(renderRows(columns, rows, now));
}

/** The phase, except that a revoke or an expiry the controller has not recorded yet already shows. */
export function apiKeyState(key: ApiKey, nowMs: number): string {
  if (key.spec?.revoked || key.status?.phase === "Revoked") return "Revoked";
  const expiresAt = key.status?.expiresAt ?? key.spec?.expiresAt;
  if (key.status?.phase === "Expired" || (expiresAt && Date.parse(expiresAt) <= nowMs)) return "Expired";
  return key.status?.phase ?? "Pending";
}

/** The ApiKey a command names: by key id (`ak_…`, which an object name cannot contain) or by object name. */
async function findKey(session: CliSession, client: RestClient, ref: string): Promise<ApiKey> {
  if (!ref.startsWith("ak_")) return client.get<ApiKey>(APIKEYS, ref, { signal: session.deps.signal });
  const list = await client.list<ApiKey>(APIKEYS, { signal: session.deps.signal });
  const found = list.items.filter((k) => k.status?.keyId === ref);
  if (found.length === 1) return found[0]!;
  session.err(found.length === 0 ? `error: no API key has key id ${ref}; 'claw auth apikey list' shows them` : `error: ${found.length} ApiKeys claim key id ${ref}; name one: ${found.map((k) => k.metadata.name).join(", ")}`);
  throw new ReportedFailure(found.length === 0 ? ExitCode.NotFound : ExitCode.Conflict);
}

const labelOf = (key: ApiKey) => `${key.status?.keyId ?? "<no key id yet>"} (${key.metadata.name}, "${key.spec?.displayName ?? ""}")`;
