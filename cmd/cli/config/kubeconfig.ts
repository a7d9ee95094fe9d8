// The client config file, which is a kubeconfig: kubectl can use it as it is.

import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import YAML from "yaml";

export interface KubeconfigCluster {
  server: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
}

export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
}

/** kubeconfig's NamedExtension: data a tool keeps beside an entry; kubectl reads it back and keeps it. */
export interface KubeconfigExtension {
  name: string;
  extension: unknown;
}

export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
  extensions?: KubeconfigExtension[];
}

export interface Kubeconfig {
  apiVersion: "v1";
  kind: "Config";
  clusters: { name: string; cluster: KubeconfigCluster }[];
  users: { name: string; user: KubeconfigUser }[];
  contexts: { name: string; context: KubeconfigContext }[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
  extensions?: KubeconfigExtension[];
}

/** A config file that cannot be used; the message names the file and the field. */
export class KubeconfigError extends Error {
  override name = "KubeconfigError";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseKubeconfig(text: string, source: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new KubeconfigError(`${source} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObj(doc)) throw new KubeconfigError(`${source} must be a kubeconfig mapping (apiVersion: v1, kind: Config)`);
  const fail = (path: string, want: string): never => {
    throw new KubeconfigError(`${source}: ${path} must be ${want}`);
  };
  const named = <T>(key: "clusters" | "users" | "contexts", inner: "cluster" | "user" | "context", check: (v: Obj, path: string) => T) => {
    const list = doc[key] ?? [];
    if (!Array.isArray(list)) return fail(key, "a list");
    return list.map((entry: unknown, i) => {
      const path = `${key}[${i}]`;
      if (!isObj(entry) || typeof entry.name !== "string") return fail(`${path}.name`, "a string");
      const value = entry[inner] ?? {};
      if (!isObj(value)) return fail(`${path}.${inner}`, "a mapping");
      return { name: entry.name, [inner]: check(value, `${path}.${inner}`) } as { name: string } & Record<typeof inner, T>;
    });
  };
  const strings = (v: Obj, path: string, keys: string[]) => {
    for (const k of keys) if (v[k] !== undefined && typeof v[k] !== "string") fail(`${path}.${k}`, "a string");
  };
  const clusters = named("clusters", "cluster", (v, path) => {
    if (typeof v.server !== "string") fail(`${path}.server`, "a URL string");
    strings(v, path, ["certificate-authority", "certificate-authority-data", "tls-server-name"]);
    if (v["insecure-skip-tls-verify"] !== undefined && typeof v["insecure-skip-tls-verify"] !== "boolean") fail(`${path}.insecure-skip-tls-verify`, "true or false");
    return v as unknown as KubeconfigCluster;
  });
  const users = named("users", "user", (v, path) => {
    strings(v, path, ["token", "tokenFile", "client-certificate", "client-certificate-data", "client-key", "client-key-data"]);
    return v as KubeconfigUser;
  });
  const contexts = named("contexts", "context", (v, path) => {
    if (typeof v.cluster !== "string") fail(`${path}.cluster`, "a cluster name");
    if (typeof v.user !== "string") fail(`${path}.user`, "a user name");
    return v as unknown as KubeconfigContext;
  });
  const current = doc["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string") fail("current-context", "a context name");
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: clusters as Kubeconfig["clusters"],
    users: users as Kubeconfig["users"],
    contexts: contexts as Kubeconfig["contexts"],
    ...(typeof current === "string" && current ? { "current-context": current } : {}),
    ...(isObj(doc.preferences) ? { preferences: doc.preferences } : {}),
    ...(Array.isArray(doc.extensions) ? { extensions: doc.extensions.filter(isExtension) } : {}),
  };
}

const isExtension = (v: unknown): v is KubeconfigExtension => isObj(v) && typeof v.name === "string";

export const serializeKubeconfig = (config: Kubeconfig): string => YAML.stringify(config, { lineWidth: 0 });

/** Reads a kubeconfig, or undefined when the file does not exist. */
export async function readKubeconfigFile(path: string): Promise<Kubeconfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new KubeconfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseKubeconfig(text, path);
}

/** Writes atomically with mode 0600 (it holds a credential), creating the folder with mode 0700. */
export async function writeKubeconfigFile(path: string, config: Kubeconfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, serializeKubeconfig(config), { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

export interface BuildKubeconfigInput {
  /** Names the cluster and the context; default `claw`. */
  name?: string;
  server: string;
  /** Names the user entry; default the same as `name`. */
  user?: string;
  token?: string;
  /** More cluster fields (CA data, insecure-skip-tls-verify, tls-server-name). */
  cluster?: Omit<KubeconfigCluster, "server">;
  /** More user fields (client certificate and key). */
  credentials?: Omit<KubeconfigUser, "token">;
}

/** A kubeconfig of one cluster, one user and one context, current: what admin.conf and `claw config kubeconfig` hold. */
export function buildKubeconfig(input: BuildKubeconfigInput): Kubeconfig {
  const name = input.name ?? "claw";
  const user = input.user ?? name;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: input.server, ...input.cluster } }],
    users: [{ name: user, user: { ...(input.token ? { token: input.token } : {}), ...input.credentials } }],
    contexts: [{ name, context: { cluster: name, user } }],
    "current-context": name,
  };
}
