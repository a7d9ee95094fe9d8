// The user and context `claw auth login` adds to a client config, and what `claw auth logout` takes out again.
// Login leaves every other entry alone: it adds its own user and context, makes that context current and
// remembers the one that was, so that logout can make it current again and the credential in use before
// login (the admin key of admin.conf, say) works again — as `kubectl config use-context` would leave it.

import { KubeconfigError, type Kubeconfig, type KubeconfigContext, type KubeconfigExtension, type KubeconfigUser } from "./kubeconfig.js";

/** Marks what login made: a session context (with the context to go back to), and a file login created. */
export const SESSION_EXTENSION = "session.claw.clawbernetes.com";

export interface SessionMark {
  /** The context that was current before login. */
  previousContext?: string;
}

/** The fields of a user a session keeps (the client certificate, for a server that requires one); never a token. */
const TRANSPORT_FIELDS = ["client-certificate", "client-certificate-data", "client-key", "client-key-data"] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const markOf = (extensions: KubeconfigExtension[] | undefined): unknown => extensions?.find((e) => e.name === SESSION_EXTENSION)?.extension;

/** The mark of a context login added, or undefined for any other context. */
export function sessionMarkOf(context: KubeconfigContext | undefined): SessionMark | undefined {
  const mark = markOf(context?.extensions);
  if (!isRecord(mark)) return undefined;
  return typeof mark.previousContext === "string" && mark.previousContext ? { previousContext: mark.previousContext } : {};
}

/** Whether login created the file, so that logout may delete it once it holds no context. */
export const createdByLogin = (config: Kubeconfig): boolean => isRecord(markOf(config.extensions));

/** A config of one cluster and nothing else, as login makes a new file; logout deletes it when the session goes. */
export function sessionFile(cluster: Kubeconfig["clusters"][number], preferences?: Record<string, unknown>): Kubeconfig {
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [cluster],
    users: [],
    contexts: [],
    ...(preferences ? { preferences } : {}),
    extensions: [{ name: SESSION_EXTENSION, extension: { createdBy: "claw auth login" } }],
  };
}

export const sessionContextName = (username: string, cluster: string): string => `${username}@${cluster}`;

export interface AddSessionInput {
  /** The cluster entry the session is for. */
  cluster: string;
  /** The user entry whose client certificate the session keeps, if any. */
  transport?: KubeconfigUser;
  username: string;
  token: string;
}

/**
 * Adds (or, logging in again as the same user, replaces) the session user and context `username@cluster` and
 * makes it current. Pure: returns the new config and the context's name.
 */
export function addSession(config: Kubeconfig, input: AddSessionInput): { config: Kubeconfig; context: string } {
  const name = sessionContextName(input.username, input.cluster);
  const existing = config.contexts.find((c) => c.name === name);
  const existingMark = sessionMarkOf(existing?.context);
  const userTaken = config.users.some((u) => u.name === name) && existing?.context.user !== name;
  if ((existing && !existingMark) || userTaken) {
    throw new KubeconfigError(`the config already has a ${existing ? "context" : "user"} "${name}" that 'claw auth login' did not make; rename it, or log in with --config FILE`);
  }
  const current = config["current-context"];
  // Logging in again from the session itself keeps the way back; otherwise the way back is what is current now.
  const mark: SessionMark = existingMark && current === name ? existingMark : current && current !== name ? { previousContext: current } : {};
  const transport = Object.fromEntries(TRANSPORT_FIELDS.flatMap((f) => (input.transport?.[f] ? [[f, input.transport[f]]] : [])));
  const user = { name, user: { ...transport, token: input.token } };
  const context = { name, context: { cluster: input.cluster, user: name, extensions: [{ name: SESSION_EXTENSION, extension: mark }] } };
  return {
    config: {
      ...config,
      users: [...config.users.filter((u) => u.name !== name), user],
      contexts: [...config.contexts.filter((c) => c.name !== name), context],
      "current-context": name,
    },
    context: name,
  };
}

export interface RemovedSession {
  config: Kubeconfig;
  /** The context made current again, if the removed one was current and the previous one is still there. */
  restored?: string;
}

/** Removes a session context and its user, restoring the context that was current before; undefined for a context login did not add. */
export function removeSession(config: Kubeconfig, name: string): RemovedSession | undefined {
  const removed = config.contexts.find((c) => c.name === name);
  const mark = sessionMarkOf(removed?.context);
  if (!removed || !mark) return undefined;
  const back = mark.previousContext;
  // A session started from this one goes back to where this one would have.
  const contexts = config.contexts
    .filter((c) => c.name !== name)
    .map((c) => (sessionMarkOf(c.context)?.previousContext === name ? withMark(c, back ? { previousContext: back } : {}) : c));
  const users = config.users.filter((u) => u.name !== removed.context.user || contexts.some((c) => c.context.user === u.name));
  const { "current-context": current, ...rest } = config;
  const restored = current === name && back && contexts.some((c) => c.name === back) ? back : undefined;
  const nextCurrent = current === name ? restored : current;
  return { config: { ...rest, users, contexts, ...(nextCurrent ? { "current-context": nextCurrent } : {}) }, ...(restored ? { restored } : {}) };
}

function withMark(entry: Kubeconfig["contexts"][number], mark: SessionMark): Kubeconfig["contexts"][number] {
  const extensions = (entry.context.extensions ?? []).map((e) => (e.name === SESSION_EXTENSION ? { name: e.name, extension: mark } : e));
  return { name: entry.name, context: { ...entry.context, extensions } };
}
