// gateway.toml's [controllers]: whether `claw server` runs the controller manager in-process, and how many
// reconciles each controller runs at once (kube-controller-manager's --concurrent-*-syncs, one knob for all).
// Refused with the file, line and key, as [nodes] is.

import { flag, Locator, Refusal, walk, type Read } from "../../api/machinery/toml-schema.js";
import { ConfigError, configLocation, type ServerConfig } from "./server-config.js";

/** The most reconciles one controller may run at once: each holds a request to the server open. */
export const MAX_CONTROLLER_WORKERS = 256;

export interface ControllersConfig {
  enabled: boolean;
  /** Reconciles each controller runs at once; undefined: each controller's own default (2). */
  workers?: number;
}

export const workersRead: Read<number> = (v) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 1 && v <= MAX_CONTROLLER_WORKERS ? v : new Refusal(`a whole number from 1 to ${MAX_CONTROLLER_WORKERS}`);

const SCHEMA = { enabled: flag, workers: workersRead };

/** Reads [controllers] (absent: enabled, default workers); `--controllers` overrides enabled. */
export function parseControllersConfig(raw: unknown, opts: { source?: string; text?: string; flag?: boolean } = {}): ControllersConfig {
  const at = new Locator({ ...(opts.source !== undefined ? { source: opts.source } : {}), ...(opts.text !== undefined ? { text: opts.text } : {}), error: (message) => new ConfigError(message) });
  const read = walk(raw, SCHEMA, ["controllers"], at);
  return { enabled: opts.flag ?? read.enabled ?? true, ...(read.workers !== undefined ? { workers: read.workers } : {}) };
}

/** parseControllersConfig for a loaded server config: the file's text locates a refused key. */
export function controllersConfigOf(config: Pick<ServerConfig, "sections" | "configFile" | "configText">, flagValue?: boolean): ControllersConfig {
  return parseControllersConfig(config.sections.controllers, { ...configLocation(config), ...(flagValue !== undefined ? { flag: flagValue } : {}) });
}
