// clawnode.toml, the node agent's file: the guide's [tls] and [network] blocks and claw's [node] and
// [network.firewall], read into a NodeConfig. As with gateway.toml's [ddos], anything the agent would have to
// guess about is refused with the file, line and key, what was wrong and what is allowed.

import { parse as parseToml, TomlError } from "smol-toml";
import { formatIp, parseCidr, parseIp } from "../../api/machinery/ip-address.js";
import { flag, isTable, label, listOf, Locator, near, Refusal, squash, walk, type Read, type Schema, type Suggest } from "../../api/machinery/toml-schema.js";

export type MeshProvider = "wireguard" | "tailscale" | "none";
export type FirewallBackend = "nftables" | "iptables";

export interface NodeConfig {
  node: NodeSection;
  /** [tls]: absent when the file has none, and then the agent must find its certificate another way. */
  tls?: NodeTlsConfig;
  network: NetworkConfig;
}

/** [node], claw's addition. */
export interface NodeSection {
  /** A DNS label. Absent: the agent takes its node certificate's CN at run time. */
  name?: string;
  /** The claw API, https:// only, without a trailing slash. Absent: `claw node run` must be given it otherwise, or refuse to start. */
  gateway?: string;
  dataDir: string;
}

/** The node's certificate, its private key and the CA it trusts for the gateway; the key file's mode is checked where it is read. */
export interface NodeTlsConfig {
  cert: string;
  key: string;
  ca: string;
}

export interface WireGuardConfig {
  /** The WireGuard interface's name (claw's key, not the guide's): a Linux interface name. */
  interface: string;
  listenPort: number;
  /** Where peers reach this node; absent: none advertised, the node is reached through the connections it makes. */
  endpoint?: WireGuardEndpoint;
  /** Absent: the agent generates an X25519 key pair on first run. */
  privateKeyPath?: string;
  /**
   * "Allowed peer subnets": canonical CIDR blocks; a peer's addresses are routed through the mesh only where
   * they lie inside one of these. Absent: the peers' mesh addresses the gateway allocates, as sent.
   */
  allowedIps?: string[];
  /** Seconds; 0 is off. */
  persistentKeepalive: number;
}

/** `host` is a lower-case DNS name or an IP address in canonical form (IPv6 without its brackets). */
export interface WireGuardEndpoint {
  host: string;
  port: number;
}

export interface TailscaleConfig {
  /** The name of the environment variable that holds the auth key; the key itself is never in the file. */
  authKeyEnv: string;
  /** Absent: the Tailscale host name is the node name alone. */
  hostnamePrefix?: string;
  tags: string[];
}

export interface FirewallConfig {
  /** Keep the active BlockRules in a kernel set (nftables set, or ipset with iptables) and drop their traffic. */
  enforceBlocklist: boolean;
  backend: FirewallBackend;
}

export type MeshConfig =
  | { provider: "none" }
  | { provider: "wireguard"; wireguard: WireGuardConfig }
  | { provider: "tailscale"; tailscale: TailscaleConfig };

export type NetworkConfig = MeshConfig & { firewall: FirewallConfig };

export const DEFAULT_DATA_DIR = "/var/lib/clawnode";
export const DEFAULT_WIREGUARD_PORT = 51820;
export const DEFAULT_WIREGUARD_INTERFACE = "clawmesh0";

export class NodeConfigError extends Error {
  override name = "NodeConfigError";
}

const wholeNumber = (min: number, max: number): Read<number> => (v) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max ? v : new Refusal(`a whole number from ${min} to ${max}`);

const seconds = (max: number): Read<number> => (v) => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= max) return v;
  const unit = typeof v === "string" ? /^(\d+)\s*s$/.exec(v) : null;
  return new Refusal(`a whole number of seconds from 0 (off) to ${max}`, unit ? { hint: `write the seconds without a unit: ${unit[1]}` } : {});
};

const oneOf = <T extends string>(...values: T[]): Read<T> => (v) => {
  if (values.includes(v as T)) return v as T;
  const near = typeof v === "string" ? values.find((value) => value === v.toLowerCase()) : undefined;
  return new Refusal(values.map((value) => `"${value}"`).join(" or ").replace(/ or (?=.* or )/g, ", "), near === undefined ? {} : { hint: `write "${near}"` });
};

const absolutePath = (example: string): Read<string> => (v) => {
  if (typeof v === "string" && v.startsWith("/") && !v.includes("\0")) return v;
  const hint = typeof v !== "string" || v === "" ? undefined : v.startsWith("~") ? "~ is not expanded: write the full path" : "a relative path would depend on the agent's working directory";
  return new Refusal(`an absolute path, such as "${example}"`, hint === undefined ? {} : { hint });
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsLabel = (what: string, example: string): Read<string> => (v) => {
  if (typeof v === "string" && DNS_LABEL.test(v)) return v;
  const allowed = `${what}: a DNS label of up to 63 lower-case letters, digits and '-', starting and ending with a letter or digit, such as "${example}"`;
  const first = typeof v === "string" ? v.toLowerCase().split(".")[0]! : "";
  const tooLong = typeof v === "string" && v.length > 63 && /^[a-z0-9-]+$/.test(v);
  const hint = tooLong ? `it has ${v.length} characters` : typeof v === "string" && DNS_LABEL.test(first) && first !== v ? `write "${first}"` : undefined;
  return new Refusal(allowed, hint === undefined ? {} : { hint });
};

const gatewayUrl: Read<string> = (v) => {
  const allowed = `the https:// URL of the claw API, such as "https://gateway.example.com:8443"`;
  const url = typeof v === "string" ? asUrl(v) : undefined;
  if (url === undefined || (typeof v === "string" && !v.includes("://"))) {
    const fixed = typeof v === "string" && !v.includes("://") ? asUrl(`https://${v}`) : undefined;
    return new Refusal(allowed, fixed?.hostname.includes(".") ? { hint: `write "https://${v}"` } : {});
  }
  // A password in the file would be a secret, and the node authenticates with its certificate anyway.
  if (url.username !== "" || url.password !== "") return new Refusal(allowed, { shown: "a URL with a user or password (not shown)", hint: "the node authenticates with its certificate: leave the credentials out" });
  if (url.protocol === "http:") return new Refusal(allowed, { hint: "the node presents its certificate and receives secrets over it, so http:// is refused" });
  if (url.protocol !== "https:" || url.hostname === "" || url.search !== "" || url.hash !== "") return new Refusal(allowed);
  return url.href.replace(/\/$/, "");
};

const asUrl = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};

/** What Linux takes for a link's name (IFNAMSIZ less its NUL), kept to characters that need no quoting anywhere. */
const INTERFACE_NAME = /^[a-zA-Z0-9_.-]{1,15}$/;
const interfaceName: Read<string> = (v) => {
  if (typeof v === "string" && INTERFACE_NAME.test(v) && v !== "." && v !== "..") return v;
  const allowed = `a Linux interface name: 1 to 15 letters, digits, '_', '.' or '-', such as "${DEFAULT_WIREGUARD_INTERFACE}"`;
  const tooLong = typeof v === "string" && v.length > 15 && /^[a-zA-Z0-9_.-]+$/.test(v) ? `it has ${v.length} characters` : undefined;
  const hint = tooLong ?? (v === "." || v === ".." ? "the kernel refuses . and .. as names" : undefined);
  return new Refusal(allowed, hint === undefined ? {} : { hint });
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const endpoint: Read<WireGuardEndpoint> = (v) => {
  const allowed = `host:port, such as "node1.example.com:51820", "203.0.113.7:51820" or "[2001:db8::7]:51820"`;
  if (typeof v !== "string") return new Refusal(allowed);
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(v);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    const unbracketed = !v.startsWith("[") && (v.match(/:/g) ?? []).length > 1;
    const portless = !v.includes(":") || (v.startsWith("[") && v.endsWith("]"));
    const hint = unbracketed ? "put an IPv6 address in brackets: [2001:db8::7]:51820" : portless ? `add the port: "${v}:${DEFAULT_WIREGUARD_PORT}"` : undefined;
    return new Refusal(allowed, hint === undefined ? {} : { hint });
  }
  const [, v6, name] = match;
  const address = parseIp(v6 ?? name!);
  if (v6 !== undefined) return address?.family === 6 && !v6.includes("%") ? { host: formatIp(address), port } : new Refusal(allowed);
  if (address) return { host: formatIp(address), port };
  const host = name!.toLowerCase();
  return HOST_NAME.test(host) && !/^[\d.]+$/.test(host) ? { host, port } : new Refusal(allowed);
};

/** A list whose every element passes `element`, duplicates dropped; a refusal names the element at fault. */
const cidr = (v: unknown): string | Refusal =>
  (typeof v === "string" && parseCidr(v)?.text) || new Refusal("an IPv4 or IPv6 CIDR block, such as 10.100.0.0/16 or fd00:100::/64");

const TAG = /^tag:[a-z]([-a-z0-9]*[a-z0-9])?$/;
const tag = (v: unknown): string | Refusal => {
  if (typeof v === "string" && TAG.test(v)) return v;
  const fixed = typeof v === "string" ? (v.startsWith("tag:") ? v : `tag:${v}`).toLowerCase() : "";
  return new Refusal(`a Tailscale tag: "tag:" and a lower-case name, such as "tag:clawbernetes"`, TAG.test(fixed) ? { hint: `write "${fixed}"` } : {});
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName: Read<string> = (v) => {
  if (typeof v === "string" && ENV_NAME.test(v)) return v;
  const allowed = `the name of the environment variable that holds the auth key, such as "TS_AUTHKEY"`;
  if (typeof v !== "string") return new Refusal(allowed);
  const bare = v.replace(/^\$\{?|\}$/g, "");
  // Whatever was written here may be the key itself: echo it only when it is plainly a variable's name.
  const key = v.startsWith("tskey-");
  const shown = ENV_NAME.test(bare) ? undefined : key ? "a Tailscale auth key (not repeated here)" : "that value (not repeated here, in case it is a secret)";
  const hint = key
    ? `put the key in the agent's environment (TS_AUTHKEY=tskey-… in its service's environment file) and write auth_key_env = "TS_AUTHKEY"`
    : shown === undefined ? `write "${bare}"` : undefined;
  return new Refusal(allowed, { ...(shown === undefined ? {} : { shown }), ...(hint === undefined ? {} : { hint }) });
};

/** The whole file: a nested schema for each table, a check for each key. */
const SCHEMA = {
  node: { name: dnsLabel("a node name", "gpu-node-1"), gateway: gatewayUrl, data_dir: absolutePath(DEFAULT_DATA_DIR) },
  tls: { cert: absolutePath("/etc/clawbernetes/pki/node.crt"), key: absolutePath("/etc/clawbernetes/pki/node.key"), ca: absolutePath("/etc/clawbernetes/pki/ca.crt") },
  network: {
    provider: oneOf<MeshProvider>("wireguard", "tailscale", "none"),
    wireguard: {
      interface: interfaceName,
      listen_port: wholeNumber(1, 65535),
      endpoint,
      private_key_path: absolutePath("/etc/clawbernetes/wg-private.key"),
      allowed_ips: listOf("CIDR blocks (IPv4 or IPv6)", cidr, { whenEmpty: "leave allowed_ips out to route only the mesh addresses the gateway allocates" }),
      persistent_keepalive: seconds(65535),
    },
    tailscale: { auth_key_env: envName, hostname_prefix: dnsLabel("a host name prefix", "clawnode"), tags: listOf("Tailscale tags", tag) },
    firewall: { enforce_blocklist: flag, backend: oneOf<FirewallBackend>("nftables", "iptables") },
  },
};

/**
 * The NodeConfig of a clawnode.toml. Throws a NodeConfigError naming the file, line (and column for TOML
 * syntax) and key for a wrong type or range, an unknown key or table, [tls] without all three paths, a
 * provider's table that the chosen provider would ignore, or tailscale without auth_key_env.
 */
export function parseNodeConfig(text: string, opts: { source?: string } = {}): NodeConfig {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const where = opts.source === undefined ? `line ${err.line}, column ${err.column}` : `${opts.source}:${err.line}:${err.column}`;
    throw new NodeConfigError(`${where}: not valid TOML: ${err.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "")}`);
  }
  const at = new Locator({ ...opts, text, error: (message) => new NodeConfigError(message) });
  const d = walk(raw, SCHEMA, [], at, suggestion);
  const network = rawTable(raw, "network");

  let tls: NodeTlsConfig | undefined;
  if (raw.tls !== undefined) {
    const { cert, key, ca } = d.tls;
    const missing = Object.entries({ cert, key, ca }).filter(([, v]) => v === undefined).map(([k]) => k);
    if (cert === undefined || key === undefined || ca === undefined)
      throw at.error(["tls"], `[tls] ${missing.join(", ").replace(/, (?=[^,]*$)/, " and ")} ${missing.length > 1 ? "are" : "is"} missing: cert, key and ca are needed together (the node's certificate, its private key, and the CA that signed the gateway's)`);
    tls = { cert, key, ca };
  }

  const provider = d.network.provider ?? "none";
  for (const other of ["wireguard", "tailscale"] as const) {
    if (other === provider || network[other] === undefined) continue;
    const chosen = d.network.provider === undefined ? `is not set, so "none"` : `is "${provider}"`;
    throw at.error(["network", other], `[network.${other}] is given but [network] provider ${chosen}: the agent would ignore it; set provider = "${other}" or remove the table`);
  }
  const { wireguard: wg, tailscale: ts, firewall: fw } = d.network;
  const firewall: FirewallConfig = { enforceBlocklist: fw.enforce_blocklist ?? false, backend: fw.backend ?? "nftables" };
  let mesh: MeshConfig = { provider: "none" };
  if (provider === "wireguard") {
    mesh = {
      provider,
      wireguard: {
        interface: wg.interface ?? DEFAULT_WIREGUARD_INTERFACE,
        listenPort: wg.listen_port ?? DEFAULT_WIREGUARD_PORT,
        ...(wg.endpoint !== undefined ? { endpoint: wg.endpoint } : {}),
        ...(wg.private_key_path !== undefined ? { privateKeyPath: wg.private_key_path } : {}),
        ...(wg.allowed_ips !== undefined ? { allowedIps: wg.allowed_ips } : {}),
        persistentKeepalive: wg.persistent_keepalive ?? 0,
      },
    };
  } else if (provider === "tailscale") {
    if (ts.auth_key_env === undefined)
      throw at.error(["network", "tailscale"], `[network.tailscale] auth_key_env is missing: provider = "tailscale" needs the name of the environment variable that holds the auth key, such as auth_key_env = "TS_AUTHKEY"`);
    mesh = { provider, tailscale: { authKeyEnv: ts.auth_key_env, ...(ts.hostname_prefix !== undefined ? { hostnamePrefix: ts.hostname_prefix } : {}), tags: ts.tags ?? [] } };
  }
  return {
    node: { ...(d.node.name !== undefined ? { name: d.node.name } : {}), ...(d.node.gateway !== undefined ? { gateway: d.node.gateway } : {}), dataDir: d.node.data_dir ?? DEFAULT_DATA_DIR },
    ...(tls !== undefined ? { tls } : {}),
    network: { ...mesh, firewall },
  };
}

/** A table of the parsed file that walk has already checked is a table or absent. */
const rawTable = (raw: Record<string, unknown>, key: string): Record<string, unknown> => (isTable(raw[key]) ? raw[key] : {});

/** Keys of the guide's gateway.toml [tls] that an operator may paste into clawnode.toml's. */
const GATEWAY_TLS_KEYS = ["require_client_cert", "min_version", "cipher_suites"];

/** " (did you mean …?)" for a near spelling in the same table, or the same name where it belongs elsewhere in the file. */
const suggestion: Suggest = (key, isTableKey, path) => {
  const candidates: { path: string[]; table: boolean }[] = [];
  const collect = (schema: Schema, at: string[]): void => {
    for (const [k, rule] of Object.entries(schema)) {
      candidates.push({ path: [...at, k], table: typeof rule !== "function" });
      if (typeof rule !== "function") collect(rule, [...at, k]);
    }
  };
  collect(SCHEMA, []);
  if (path.join(".") === "tls" && GATEWAY_TLS_KEYS.includes(key)) return " (a key of gateway.toml's [tls], not clawnode.toml's)";
  const kind = candidates.filter((c) => c.table === isTableKey);
  const here = kind.find((c) => c.path.length === path.length + 1 && path.every((p, i) => c.path[i] === p) && near(c.path.at(-1)!, key));
  if (here) return ` (did you mean ${here.path.at(-1)}?)`;
  const elsewhere = kind.find((c) => squash(c.path.at(-1)!) === squash(key));
  if (!elsewhere) return "";
  return elsewhere.table ? ` (did you mean ${label(elsewhere.path)}?)` : ` (did you mean ${label(elsewhere.path.slice(0, -1))} ${elsewhere.path.at(-1)}?)`;
};
