// One invocation's shared state: the resolved config, the REST client and discovery, made on first use.

import type { Command } from "commander";
import { RestClient } from "../../api/client/rest-client.js";
import { systemClock, type Clock } from "../../api/machinery/clock.js";
import { resolveClientConfig, type ClientConfigFlags, type ResolvedClientConfig } from "./config/client-config.js";
import type { ErrorContext } from "./error-render.js";
import { KindResolver } from "./kind-resolver.js";
import type { OpenForensicAuditSource } from "./forensic-audit.js";
import type { SignalSource } from "./run/signal-forwarding.js";

export interface TextSink {
  write(text: string): unknown;
}

export interface CliDeps {
  stdout: TextSink;
  stderr: TextSink;
  stdin: AsyncIterable<Uint8Array | string>;
  env: Record<string, string | undefined>;
  homeDir: string;
  clock?: Clock;
  /** Ends long-running commands (`get -w`); the entry point ties it to SIGINT, tests abort it. */
  signal?: AbortSignal;
  /** Adds `claw server` (the lead's entry point owns it). */
  serverCommand?: (program: Command) => void;
  /** Adds the node agent's commands (`claw node run`, `claw node join`) to the `node` command; the entry point supplies them. */
  nodeAgentCommands?: (node: Command) => void;
  /** Reads the audit log straight from a store (`claw audit verify --data-dir`); the entry point supplies it. */
  openForensicAuditSource?: OpenForensicAuditSource;
  /** The signals `claw run` passes on to its command (SIGINT, SIGTERM, SIGHUP); `process` when absent. */
  processSignals?: SignalSource;
  /** Overrides the client version (tests). */
  version?: string;
}

export class CliSession {
  private resolved: ResolvedClientConfig | undefined;
  private restClient: RestClient | undefined;
  private resolver: KindResolver | undefined;
  private readonly warned = new Set<string>();

  constructor(
    readonly deps: CliDeps,
    private readonly flags: () => ClientConfigFlags,
  ) {}

  get clock(): Clock {
    return this.deps.clock ?? systemClock;
  }

  out(text: string): void {
    this.deps.stdout.write(text);
  }

  err(text: string): void {
    this.deps.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A server's `Warning` header, on stderr as kubectl prints it: once per text per command. */
  warn(text: string): void {
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.err(`Warning: ${text}`);
  }

  async config(): Promise<ResolvedClientConfig> {
    this.resolved ??= await resolveClientConfig({ flags: this.flags(), env: this.deps.env, homeDir: this.deps.homeDir });
    return this.resolved;
  }

  async client(): Promise<RestClient> {
    if (!this.restClient) {
      const config = await this.config();
      this.restClient = new RestClient({
        server: config.server,
        credential: config.credential,
        tls: config.tls,
        userAgent: `claw/${this.deps.version ?? "cli"}`,
        onWarning: (text) => this.warn(text),
      });
    }
    return this.restClient;
  }

  kinds(): KindResolver {
    this.resolver ??= new KindResolver(async () => (await this.client()).discovery({ signal: this.deps.signal }));
    return this.resolver;
  }

  /** What error messages may say about this invocation: never the credential itself. */
  errorContext(during?: string): ErrorContext {
    const c = this.resolved;
    return {
      server: c?.server ?? this.flags().server ?? "the configured server",
      ...(c ? { serverSource: c.serverSource, searched: c.searched } : {}),
      ...(c?.credential ? { credential: { type: c.credential.type, source: c.credential.source } } : {}),
      ...(during ? { during } : {}),
    };
  }

  async close(): Promise<void> {
    await this.restClient?.close();
    this.restClient = undefined;
  }
}
