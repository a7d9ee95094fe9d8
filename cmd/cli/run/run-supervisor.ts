// `claw run`: release every secret to the workload, start the command with them (variables, and files
// in a private folder), pass signals on, and — with --restart-on-rotate — restart it (or signal it) when
// a secret rotates. Resolves to the command's exit status; the folder is removed however the run ends.

import type { RestClient } from "../../../api/client/rest-client.js";
import type { SecretValue, WorkloadIdentity } from "../../../api/types/secrets-api.js";
import { FailureLog } from "../cli-action.js";
import type { CliSession } from "../cli-session.js";
import { renderError } from "../error-render.js";
import type { SecretsApi } from "../secrets-api.js";
import { exitStatus, startChild, type RunningChild } from "./child-command.js";
import type { WorkloadEvent } from "../../../api/types/audit-api.js";
import { SECRETS_DIR_ENV, engineArgs, type EnvBinding, type Launch, type MountBinding } from "./run-plan.js";
import { RotationWatch } from "./rotation-watch.js";
import { SecretFiles } from "./secret-files.js";
import { forwardSignals, type SignalSource } from "./signal-forwarding.js";

/** claw's own credentials stay with claw: the command gets only the secrets it was given. */
const CREDENTIAL_ENV = ["CLAWBERNETES_TOKEN", "CLAWBERNETES_API_KEY"];
/** How long a command may take to end after SIGTERM on a restart before it is killed. */
const STOP_GRACE_MS = 10_000;

export interface RunPlan {
  workload: WorkloadIdentity;
  env: EnvBinding[];
  mounts: MountBinding[];
  launch: Launch;
  restartOnRotate: boolean;
  /** With restartOnRotate: send this instead of restarting (mounted files change; variables cannot). */
  rotateSignal?: NodeJS.Signals;
}

export interface SuperviseOptions {
  session: CliSession;
  client: RestClient;
  api: SecretsApi;
  signals: SignalSource;
}

type Values = Map<string, SecretValue>;

export async function superviseRun(plan: RunPlan, opts: SuperviseOptions): Promise<number> {
  const { session } = opts;
  const names = [...new Set([...plan.env.map((b) => b.secret), ...plan.mounts.map((m) => m.secret)])];
  let values = await releaseAll(names, plan.workload, opts, { initial: true });
  let child: RunningChild | undefined;
  let files: SecretFiles | undefined;
  /** The signal that asked the run to end, once one has. */
  let ending: NodeJS.Signals | undefined = session.deps.signal?.aborted ? "SIGINT" : undefined;
  const stopForwarding = forwardSignals({
    source: opts.signals,
    ...(session.deps.signal ? { abort: session.deps.signal } : {}),
    send: (signal) => {
      if (signal !== plan.rotateSignal) ending ??= signal;
      child?.kill(signal);
    },
  });
  let started = false;
  let exitCode: number | undefined;
  const watch = plan.restartOnRotate ? new RotationWatch({ client: opts.client, clock: session.clock, versions: versionsOf(values), onProblem: (p) => reportWatchProblem(session, p) }) : undefined;
  try {
    files = plan.mounts.length > 0 ? await SecretFiles.create(session.deps.env.TMPDIR) : undefined;
    await files?.write(plan.mounts, valueTexts(values));
    // Asked to end before the command started: it never does.
    if (ending) return exitStatus(null, ending);
    child = launch(plan, values, files, session);
    started = true;
    await recordWorkloadEvent(opts, { event: "started", workload: plan.workload, secrets: names });
    watch?.start();
    for (;;) {
      const woke = await Promise.race([child.done, ...(watch ? [watch.next().then(() => "rotated" as const)] : [])]);
      if (woke !== "rotated") {
        if (woke.startError) session.err(`claw run: ${woke.startError}${startHint(plan.launch)}`);
        exitCode = woke.code;
        return woke.code;
      }
      if (ending) continue;
      let fresh: Values;
      try {
        fresh = await releaseAll(names, plan.workload, opts, { initial: false });
      } catch (err) {
        session.err(`claw run: a secret rotated but its new value could not be released; the command keeps the values it has.\n${renderError(err, session.errorContext()).message}`);
        continue;
      }
      watch!.acknowledge(versionsOf(fresh));
      const changed = names.filter((n) => fresh.get(n)?.version !== values.get(n)?.version);
      if (changed.length === 0) continue;
      values = fresh;
      await files?.write(plan.mounts, valueTexts(values));
      const what = changed.map((n) => `"${n}" (version ${fresh.get(n)?.version})`).join(", ");
      if (plan.rotateSignal) {
        session.err(`claw run: ${what} rotated; sending ${plan.rotateSignal}`);
        child.kill(plan.rotateSignal);
        continue;
      }
      session.err(`claw run: ${what} rotated; restarting the command`);
      await stop(child, session);
      if (ending) return (await child.done).code;
      child = launch(plan, values, files, session);
    }
  } finally {
    stopForwarding();
    watch?.stop();
    if (child && !child.exited) await stop(child, session);
    await files?.remove();
    if (started) await recordWorkloadEvent(opts, { event: "stopped", workload: plan.workload, ...(exitCode !== undefined ? { exitCode } : {}) });
  }
}

/** workload.started / workload.stopped in the audit log; a failure to record is reported, never fatal to the run. */
async function recordWorkloadEvent(opts: SuperviseOptions, event: WorkloadEvent): Promise<void> {
  try {
    await opts.api.workloadEvent(event);
  } catch (err) {
    opts.session.err(`claw run: could not record workload.${event.event} in the audit log: ${renderError(err, opts.session.errorContext()).message}`);
  }
}

/** Every value, released to the workload; each refusal (with the rule that decided) is reported before failing. */
async function releaseAll(names: string[], workload: WorkloadIdentity, opts: SuperviseOptions, mode: { initial: boolean }): Promise<Values> {
  const results = await Promise.allSettled(names.map((name) => opts.api.release(name, workload)));
  const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ name: names[i]!, error: r.reason as unknown }] : []));
  if (failed.length > 0) {
    if (!mode.initial) throw failed[0]!.error;
    const failures = new FailureLog(opts.session);
    for (const f of failed) failures.report(f.error, `releasing secret "${f.name}" to workload "${workload.name}"`);
    opts.session.err(`claw run: the command was not started`);
    failures.finish();
  }
  return new Map(results.map((r, i) => [names[i]!, (r as PromiseFulfilledResult<SecretValue>).value]));
}

function launch(plan: RunPlan, values: Values, files: SecretFiles | undefined, session: CliSession): RunningChild {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(session.deps.env)) if (value !== undefined && !CREDENTIAL_ENV.includes(key)) env[key] = value;
  for (const b of plan.env) env[b.env] = values.get(b.secret)?.value ?? "";
  if (files) env[SECRETS_DIR_ENV] = files.dir;
  const streams = session.deps;
  if (plan.launch.kind === "command") return startChild({ file: plan.launch.file, args: plan.launch.args, env, streams });
  const isTty = (s: unknown) => (s as { isTTY?: unknown } | null)?.isTTY === true;
  const mounts = files ? plan.mounts.map((m) => ({ hostPath: files.pathOf(m), target: m.target })) : [];
  const args = engineArgs({ image: plan.launch.image, env: plan.env.map((b) => b.env), mounts, interactive: isTty(streams.stdin), tty: isTty(streams.stdin) && isTty(streams.stdout) });
  return startChild({ file: plan.launch.engine, args, env, streams });
}

/** SIGTERM, then SIGKILL if it has not ended after the grace period. */
async function stop(child: RunningChild, session: CliSession): Promise<void> {
  if (!child.kill("SIGTERM")) return;
  const timer = session.clock.setTimer(STOP_GRACE_MS, () => child.kill("SIGKILL"));
  await child.done;
  timer.cancel();
}

const versionsOf = (values: Values) => new Map([...values].map(([name, v]) => [name, v.version]));
const valueTexts = (values: Values) => new Map([...values].map(([name, v]) => [name, v.value]));

const startHint = (launch: Launch): string =>
  launch.kind === "command" && launch.imageWithoutEngine ? " (it looks like an image, but neither docker nor podman is on the PATH)" : "";

function reportWatchProblem(session: CliSession, p: { secret: string; error?: unknown; deleted?: boolean }): void {
  if (p.deleted) return session.err(`claw run: secret "${p.secret}" was deleted; the command keeps the value it has`);
  session.err(`claw run: watching secret "${p.secret}" for rotation failed; retrying. ${renderError(p.error, session.errorContext()).message}`);
}
