// What `claw run` will do, decided from the command line before anything is fetched or started (pure):
// which secret goes to which variable or file, what runs (a command, or an image under docker/podman),
// and as which workload.

import { basename } from "node:path";
import { workloadCauses } from "../../../api/rbac/workload.js";
import { UsageError } from "../cli-errors.js";

/** The variable that tells the command where its mounted files are. */
export const SECRETS_DIR_ENV = "CLAW_SECRETS_DIR";
/** Container engines tried, in order, for the guide's `claw run … IMAGE` form. */
export const ENGINES = ["docker", "podman"] as const;

export interface EnvBinding {
  env: string;
  secret: string;
}

export interface MountBinding {
  /** As typed: `/secrets/cert.pem`. */
  target: string;
  /** Where the file lives under the private directory: `secrets/cert.pem`. */
  relative: string;
  secret: string;
}

export type Launch =
  | { kind: "command"; file: string; args: string[]; /** It looked like an image, but no engine was found. */ imageWithoutEngine?: true }
  | { kind: "image"; engine: string; engineName: (typeof ENGINES)[number]; image: string };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function split(item: string, flag: string, left: string): [string, string] {
  const eq = item.lastIndexOf("=");
  const key = item.slice(0, eq);
  const secret = item.slice(eq + 1);
  if (eq <= 0 || secret === "") throw new UsageError(`${flag} "${item}" must be ${left}=SECRET, such as ${flag === "--secret" ? "DATABASE_PASSWORD=database-password" : "/secrets/cert.pem=tls-cert"}`);
  return [key, secret];
}

export function parseEnvBindings(items: readonly string[]): EnvBinding[] {
  const seen = new Set<string>();
  return items.map((item) => {
    const [env, secret] = split(item, "--secret", "ENV");
    if (!ENV_NAME.test(env)) throw new UsageError(`--secret: "${env}" is not an environment variable name (letters, digits and _, not starting with a digit)`);
    if (env === SECRETS_DIR_ENV) throw new UsageError(`--secret: ${SECRETS_DIR_ENV} is set by claw run itself (the folder of the mounted files)`);
    if (seen.has(env)) throw new UsageError(`--secret: the variable ${env} is given twice`);
    seen.add(env);
    return { env, secret };
  });
}

export function parseMountBindings(items: readonly string[]): MountBinding[] {
  const mounts = items.map((item) => {
    const [target, secret] = split(item, "--secret-mount", "PATH");
    const parts = target.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length === 0 || parts.includes("..") || target.includes("\0")) {
      throw new UsageError(`--secret-mount: "${target}" must be a file path without "..", such as /secrets/cert.pem (it is placed under $${SECRETS_DIR_ENV})`);
    }
    return { target, relative: parts.join("/"), secret };
  });
  for (const a of mounts)
    for (const b of mounts) {
      if (a === b) continue;
      if (a.relative === b.relative) throw new UsageError(`--secret-mount: the path ${a.target} is given twice`);
      if (b.relative.startsWith(`${a.relative}/`)) throw new UsageError(`--secret-mount: ${a.target} cannot be a file and the folder of ${b.target} at once`);
    }
  return mounts;
}

export interface LaunchInput {
  /** The positional arguments: COMMAND [ARGS…], or IMAGE. */
  args: readonly string[];
  /** Whether the arguments followed `--`, which always means a command. */
  afterDashDash: boolean;
  /** The full path of an executable on the PATH, or undefined. */
  findExecutable: (name: string) => string | undefined;
  /** Whether a path names an existing file (`./tools/job:1` is a command, not an image). */
  exists: (path: string) => boolean;
}

/** The guide's `claw run --secret … IMAGE`: one argument that looks like an image, and an engine to run it. */
export function planLaunch(input: LaunchInput): Launch {
  const [first, ...rest] = input.args;
  if (first === undefined) throw new UsageError("say what to run: claw run [flags] -- COMMAND [ARGS…] (or an image, such as my-app:latest)");
  const looksLikeImage = !input.afterDashDash && rest.length === 0 && /[:/]/.test(first) && !/^[./]/.test(first) && !input.exists(first);
  if (!looksLikeImage) return { kind: "command", file: first, args: rest };
  for (const engineName of ENGINES) {
    const engine = input.findExecutable(engineName);
    if (engine) return { kind: "image", engine, engineName, image: first };
  }
  return { kind: "command", file: first, args: rest, imageWithoutEngine: true };
}

/** `registry:5000/team/my-app:1.2@sha256:…` → `my-app`. */
export function imageName(image: string): string {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return (colon > slash ? noDigest.slice(0, colon) : noDigest).slice(slash + 1);
}

/** --workload, else the image's name or the command's file name; refused when it is no workload name. */
export function workloadName(flag: string | undefined, launch: Launch): string {
  const name = flag ?? (launch.kind === "image" ? imageName(launch.image) : basename(launch.file));
  const causes = workloadCauses({ name });
  if (causes.length === 0) return name;
  const origin = flag !== undefined ? "--workload" : launch.kind === "image" ? "the image's name" : "the command's file name";
  throw new UsageError(`the workload name "${name}" (${origin}) is not valid: ${causes.map((c) => c.message).join("; ")}; name the workload with --workload, such as --workload api-server`);
}

/** The engine's arguments: the variables by name only (their values travel in its environment, not its argv), files read-only. */
export function engineArgs(opts: { image: string; env: readonly string[]; mounts: readonly { hostPath: string; target: string }[]; interactive: boolean; tty: boolean }): string[] {
  return [
    "run",
    "--rm",
    ...(opts.interactive ? ["-i"] : []),
    ...(opts.tty ? ["-t"] : []),
    ...opts.env.flatMap((name) => ["-e", name]),
    ...opts.mounts.flatMap((m) => ["-v", `${m.hostPath}:${m.target.startsWith("/") ? m.target : `/${m.target}`}:ro`]),
    opts.image,
  ];
}
