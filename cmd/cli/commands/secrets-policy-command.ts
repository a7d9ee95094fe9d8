// `claw secrets policy set NAME …` (each invocation adds to the SecretPolicy NAME, guarded by its
// resourceVersion so concurrent invocations lose nothing) and `claw secrets can-read NAME --workload W`.

import type { Command } from "commander";
import { isAlreadyExists, isNotFound } from "../../../api/machinery/errors.js";
import { API_VERSION } from "../../../api/machinery/meta.js";
import type { SecretPolicy, SecretPolicySpec } from "../../../api/types/secret-policy.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import { ExitCode } from "../exit-codes.js";
import { guardedPatch } from "../guarded-patch.js";
import { parseLabelList } from "../label-list.js";
import { nameList } from "./auth-user-command.js";
import { FIELD_MANAGER, SECRET_POLICIES, SECRETS, type SecretsCommandContext } from "./secrets-context.js";

/** What one `policy set` adds. */
export type PolicyAdditions = Pick<SecretPolicySpec, "allowWorkloads" | "allowLabels" | "denyWorkloads">;

interface SetFlags {
  allowWorkloads?: string;
  allowLabels?: string;
  denyWorkloads?: string;
}

/** Create-then-merge rounds before giving up, when others create and delete the policy at the same time. */
const ROUNDS = 4;

export function addSecretPolicyCommands(secrets: Command, ctx: SecretsCommandContext): void {
  const { session } = ctx;
  const policy = secrets.command("policy").description("manage who may read a secret, besides its --allowed-workloads");
  policy
    .command("set")
    .description("add to the access policy of a secret (the SecretPolicy of the same name); deny wins over allow")
    .argument("<secret>", "the secret, such as database-password")
    .option("--allow-workloads <list>", 'comma-separated workload names that may read it, or "*"')
    .option("--allow-labels <labels>", "labels a workload must all have to read it, such as env=production,team=backend")
    .option("--deny-workloads <list>", 'comma-separated workload names that may never read it, or "*"')
    .action(runAction(session, (name: string, flags: SetFlags) => setPolicy(ctx, name, flags)));

  secrets
    .command("can-read")
    .description("ask whether a workload may read a secret, and which rule decides: yes (exit 0) or no (exit 1)")
    .argument("<secret>")
    .requiredOption("--workload <name>", "the workload's name, such as api-server")
    .option("--labels <labels>", "the workload's labels, such as env=production,team=backend")
    .action(
      runAction(session, async (name: string, flags: { workload: string; labels?: string }) => {
        const labels = flags.labels === undefined ? undefined : parseLabelList(flags.labels, "--labels");
        const review = await (await ctx.api()).accessReview(name, { name: flags.workload, ...(labels ? { labels } : {}) });
        session.out(`${review.allowed ? "yes" : "no"}\n${review.reason ? `${review.reason}\n` : ""}`);
        if (!review.allowed) throw new ReportedFailure(ExitCode.Failure);
      }),
    );
}

async function setPolicy(ctx: SecretsCommandContext, name: string, flags: SetFlags): Promise<void> {
  const { session } = ctx;
  const add: PolicyAdditions = {
    ...(flags.allowWorkloads !== undefined ? { allowWorkloads: nameList(flags.allowWorkloads, "--allow-workloads") } : {}),
    ...(flags.allowLabels !== undefined ? { allowLabels: parseLabelList(flags.allowLabels, "--allow-labels") } : {}),
    ...(flags.denyWorkloads !== undefined ? { denyWorkloads: nameList(flags.denyWorkloads, "--deny-workloads") } : {}),
  };
  if (Object.keys(add).length === 0) throw new UsageError("say what to add: --allow-workloads, --allow-labels and/or --deny-workloads");
  const client = await session.client();
  const signal = session.deps.signal;
  for (let round = 1; ; round++) {
    try {
      const result = await guardedPatch<SecretPolicy>({ client, plural: SECRET_POLICIES, name, signal, change: (live) => mergePolicy(name, live.spec, add) });
      await report(ctx, result.object, result.changed ? "configured" : "unchanged");
      return;
    } catch (err) {
      if (!isNotFound(err) || round >= ROUNDS) throw err;
    }
    const object: SecretPolicy = { apiVersion: API_VERSION, kind: "SecretPolicy", metadata: { name }, spec: { secret: name, ...add } };
    try {
      const created = await client.create<SecretPolicy>(SECRET_POLICIES, object, { fieldManager: FIELD_MANAGER, signal });
      await report(ctx, created, "created");
      return;
    } catch (err) {
      // Someone created it between our read and our create: add to theirs.
      if (!isAlreadyExists(err) || round >= ROUNDS) throw err;
    }
  }
}

/** The spec fields that change when `add` joins the live policy (lists unioned, labels merged), or undefined when none does. */
export function mergePolicy(name: string, live: SecretPolicySpec | undefined, add: PolicyAdditions): Partial<SecretPolicySpec> | undefined {
  if (live && live.secret !== name) {
    throw new UsageError(`the SecretPolicy "${name}" is the policy of secret "${live.secret}", not "${name}"; 'claw secrets policy set' keeps one policy per secret, named after it`);
  }
  const change: Partial<SecretPolicySpec> = {};
  for (const field of ["allowWorkloads", "denyWorkloads"] as const) {
    const current = live?.[field] ?? [];
    const extra = (add[field] ?? []).filter((n) => !current.includes(n));
    if (extra.length > 0) change[field] = [...current, ...extra];
  }
  const labels = add.allowLabels ?? {};
  if (Object.entries(labels).some(([k, v]) => live?.allowLabels?.[k] !== v)) change.allowLabels = { ...live?.allowLabels, ...labels };
  return Object.keys(change).length > 0 ? change : undefined;
}

async function report(ctx: SecretsCommandContext, policy: SecretPolicy, what: "created" | "configured" | "unchanged"): Promise<void> {
  const { session } = ctx;
  const spec = policy.spec;
  const list = (names: string[] | undefined) => (names?.length ? names.join(", ") : "<none>");
  const labels = Object.entries(spec?.allowLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  session.out(
    `secretpolicy.security.clawbernetes.com/${policy.metadata.name} ${what}\n` +
      `  allow workloads:  ${list(spec?.allowWorkloads)}\n` +
      `  allow labels:     ${labels.length ? labels.join(",") : "<none>"}\n` +
      `  deny workloads:   ${list(spec?.denyWorkloads)}\n`,
  );
  const both = (spec?.allowWorkloads ?? []).filter((n) => spec?.denyWorkloads?.includes(n));
  if (both.length) session.err(`note: ${both.map((n) => `"${n}"`).join(", ")} ${both.length > 1 ? "are" : "is"} both allowed and denied; deny wins`);
  if (what !== "created") return;
  try {
    await (await session.client()).get(SECRETS, policy.spec?.secret ?? policy.metadata.name, { signal: session.deps.signal });
  } catch (err) {
    if (isNotFound(err)) session.err(`note: secret "${policy.spec?.secret}" does not exist yet; the policy applies once it does`);
  }
}
