// A small typed client of the claw REST API (Kubernetes conventions) over undici, with a keep-alive pool.

import { setTimeout as sleepFor } from "node:timers/promises";
import { Agent, buildConnector, request, type Dispatcher } from "undici";
import { ApiError, type Status } from "../machinery/errors.js";
import { GROUP, VERSION, type KubeList, type KubeObject } from "../machinery/meta.js";
import { PATCH_CONTENT_TYPES, TABLE_ACCEPT, type APIResourceList, type VersionInfo, type WatchEvent } from "./api-types.js";
import { authorizationHeaders, type Credential } from "./credential.js";
import { toConnectionError } from "./connection-error.js";
import { ndjsonValues } from "./ndjson-lines.js";
import { groupVersionPath, queryString, resourcePath, type QueryValue } from "./resource-path.js";
import { errorFromResponse } from "./response-error.js";
import { warningTexts } from "./warning-header.js";

export interface TlsOptions {
  /** PEM of the CA that signed the server certificate. */
  ca?: string | Buffer;
  /** Asked for the CA again at every new connection, in place of `ca` (the in-process controllers follow the server's root CA when it is renewed). */
  caSource?: () => string;
  /** PEM client certificate and key, for mTLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipVerify?: boolean;
  serverName?: string;
}

export interface RestClientOptions {
  /** Base URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  credential?: Credential;
  tls?: TlsOptions;
  /** Defaults to security.clawbernetes.com / v1. */
  group?: string;
  version?: string;
  userAgent?: string;
  /** Time allowed for the headers and between body chunks of an ordinary request (not a watch). Default 30 s. */
  requestTimeoutMs?: number;
  /** Connections kept per origin. Default 128. */
  maxConnections?: number;
  /** A shared pool; when given the client does not close it. */
  dispatcher?: Dispatcher;
  /**
   * Told the text of each `Warning: 299` header of every response, errors included (client-go's
   * WarningHandler): `unknown field "spec.foo"` when the server dropped a field it does not know.
   */
  onWarning?: (text: string) => void;
  /**
   * How many times a request answered 503 with a Retry-After header (the server could not reach its store,
   * as during an etcd election, or is starting) is sent again after the seconds it names, at most
   * MAX_RETRY_AFTER_SECONDS each, as client-go does. Default 3; 0 shows every 503 to the caller.
   */
  unavailableRetries?: number;
  /** Waits between those retries; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The longest wait a Retry-After may ask of this client before one retry. */
export const MAX_RETRY_AFTER_SECONDS = 5;
const DEFAULT_UNAVAILABLE_RETRIES = 3;

export type { RequestOptions, ListOptions, WriteOptions, PatchOptions, ApplyOptions, DeleteOptions, WatchOptions, TableOptions, RawRequest, TableResponse } from "./request-options.js";
import type { RequestOptions, ListOptions, WriteOptions, PatchOptions, ApplyOptions, DeleteOptions, WatchOptions, TableOptions, RawRequest, TableResponse } from "./request-options.js";

export class RestClient {
  readonly server: string;
  private readonly gv: { group: string; version: string };
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly onWarning: ((text: string) => void) | undefined;
  private readonly unavailableRetries: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: RestClientOptions) {
    this.server = options.server.replace(/\/+$/, "");
    this.gv = { group: options.group ?? GROUP, version: options.version ?? VERSION };
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.headers = { "user-agent": options.userAgent ?? "claw", ...authorizationHeaders(options.credential) };
    this.onWarning = options.onWarning;
    this.unavailableRetries = options.unavailableRetries ?? DEFAULT_UNAVAILABLE_RETRIES;
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}));
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent({ connections: options.maxConnections ?? 128, connect: connectOptions(options.tls) });
  }

  resource<T extends KubeObject = KubeObject>(plural: string): ResourceClient<T> {
    return new ResourceClient<T>(this, plural);
  }

  get<T extends KubeObject = KubeObject>(plural: string, name: string, opts: RequestOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: "GET", path: this.path(plural, name), signal: opts.signal });
  }

  list<T extends KubeObject = KubeObject>(plural: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.requestJson<KubeList<T>>({ method: "GET", path: this.path(plural), query: listQuery(opts), signal: opts.signal });
  }

  create<T extends KubeObject = KubeObject>(plural: string, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.requestJson<T>({ method: "POST", path: this.path(plural), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  update<T extends KubeObject = KubeObject>(plural: string, obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = this.path(plural, obj.metadata.name);
    return this.requestJson<T>({ method: "PUT", path, query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  updateStatus<T extends KubeObject = KubeObject>(plural: string, obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = this.path(plural, obj.metadata.name, "status");
    return this.requestJson<T>({ method: "PUT", path, query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  patch<T extends KubeObject = KubeObject>(plural: string, name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    const query = { ...writeQuery(opts), force: opts.type === "apply" && opts.force ? true : undefined };
    const path = this.path(plural, name, opts.subresource);
    return this.requestJson<T>({ method: "PATCH", path, query, body: patch, contentType: PATCH_CONTENT_TYPES[opts.type], signal: opts.signal });
  }

  /** Server-side apply of a whole object (create or update), as `kubectl apply --server-side`. */
  apply<T extends KubeObject = KubeObject>(plural: string, obj: T, opts: ApplyOptions): Promise<T> {
    return this.patch<T>(plural, obj.metadata.name, obj, { ...opts, type: "apply" });
  }

  /** Returns the object (still present while finalizers run) or the server's Success Status. */
  delete(plural: string, name: string, opts: DeleteOptions = {}): Promise<KubeObject | Status> {
    const body =
      opts.preconditions || opts.propagationPolicy
        ? { apiVersion: "v1", kind: "DeleteOptions", preconditions: opts.preconditions, propagationPolicy: opts.propagationPolicy }
        : undefined;
    const query = { dryRun: opts.dryRun ? "All" : undefined };
    return this.requestJson({ method: "DELETE", path: this.path(plural, name), query, body, signal: opts.signal });
  }

  /** A Table of rows for `get` (one object when `name` is given), with the CRD's printer columns. */
  table(plural: string, opts: TableOptions = {}): Promise<TableResponse> {
    const path = this.path(plural, opts.name);
    const query = opts.name === undefined ? listQuery(opts) : {};
    return this.requestJson<TableResponse>({ method: "GET", path, query, accept: TABLE_ACCEPT, signal: opts.signal });
  }

  discovery(opts: RequestOptions = {}): Promise<APIResourceList> {
    return this.requestJson<APIResourceList>({ method: "GET", path: groupVersionPath(this.gv), signal: opts.signal });
  }

  version(opts: RequestOptions = {}): Promise<VersionInfo> {
    return this.requestJson<VersionInfo>({ method: "GET", path: "/version", signal: opts.signal });
  }

  /**
   * Streams watch events until the server ends the stream or `signal` aborts (then it simply returns).
   * An ERROR event is thrown as its ApiError, so `isGone(err)` tells a caller to relist.
   */
  async *watch<T = KubeObject>(plural: string, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const query = {
      ...listQuery(opts),
      watch: true,
      allowWatchBookmarks: opts.allowWatchBookmarks ? true : undefined,
      timeoutSeconds: opts.timeoutSeconds,
    };
    const accept = opts.asTable ? TABLE_ACCEPT : "application/json";
    let response: Dispatcher.ResponseData;
    try {
      response = await this.send({ method: "GET", path: this.path(plural), query, accept, signal: opts.signal }, { streaming: true });
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    try {
      for await (const value of ndjsonValues(response.body)) {
        const event = value as { type?: unknown; object?: unknown };
        if (event.type === "ERROR") throw ApiError.fromStatus(event.object, 500);
        if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED" || event.type === "BOOKMARK") {
          yield event as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      const connection = toConnectionError(this.server, err);
      throw connection ?? err;
    } finally {
      response.body.destroy();
    }
  }

  /** One JSON request; a non-2xx answer is thrown as ApiError, a transport failure as ConnectionError. */
  async requestJson<T>(req: RawRequest): Promise<T> {
    const response = await this.send(req, { streaming: false });
    const text = await response.body.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${this.server} answered ${req.method} ${req.path} with a body that is not JSON: ${text.slice(0, 120)}`);
    }
  }

  /** Closes the connection pool (only when this client created it). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private path(plural: string, name?: string, subresource?: string): string {
    return resourcePath(this.gv, { plural, name, subresource });
  }

  private async send(req: RawRequest, mode: { streaming: boolean }): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...this.headers, accept: req.accept ?? "application/json" };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = req.contentType ?? "application/json";
    }
    for (let retries = 0; ; retries++) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(`${this.server}${req.path}${queryString(req.query)}`, {
          dispatcher: this.dispatcher,
          method: req.method,
          headers,
          body,
          signal: req.signal,
          headersTimeout: this.timeoutMs,
          bodyTimeout: mode.streaming ? 0 : this.timeoutMs,
        });
      } catch (err) {
        throw toConnectionError(this.server, err) ?? err;
      }
      const wait = retries < this.unavailableRetries ? retryAfterMs(response) : undefined;
      if (wait !== undefined && !req.signal?.aborted) {
        // The server did not take the request (it says when to come back): the same request again, as client-go does.
        await response.body.dump().catch(() => undefined);
        await this.sleep(wait, req.signal ?? undefined).catch(() => undefined); // aborted: the next send throws as an abort does
        continue;
      }
      if (this.onWarning) for (const text of warningTexts(response.headers.warning)) this.onWarning(text);
      if (response.statusCode >= 400) throw await errorFromResponse(response);
      return response;
    }
  }
}

/** For a 503 with a Retry-After of whole seconds: how long to wait before sending the request again (capped). */
function retryAfterMs(response: Dispatcher.ResponseData): number | undefined {
  if (response.statusCode !== 503) return undefined;
  const header = response.headers["retry-after"];
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Math.min(Number(text.trim()), MAX_RETRY_AFTER_SECONDS) * 1000;
}

function connectOptions(tls: TlsOptions | undefined): Agent.Options["connect"] {
  if (!tls) return undefined;
  const base = {
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
  const source = tls.caSource;
  if (!source) return { ...base, ...(tls.ca ? { ca: tls.ca } : {}) };
  return (options, callback) => buildConnector({ ...base, ca: source() })(options, callback);
}

const listQuery = (opts: ListOptions): Record<string, QueryValue> => ({
  labelSelector: opts.labelSelector,
  fieldSelector: opts.fieldSelector,
  limit: opts.limit,
  continue: opts.continue,
  resourceVersion: opts.resourceVersion,
});

const writeQuery = (opts: WriteOptions): Record<string, QueryValue> => ({
  fieldManager: opts.fieldManager,
  dryRun: opts.dryRun ? "All" : undefined,
});

/** The RestClient bound to one resource (`roles`), typed by its object, for controllers and commands. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly client: RestClient,
    readonly plural: string,
  ) {}

  get(name: string, opts?: RequestOptions): Promise<T> {
    return this.client.get<T>(this.plural, name, opts);
  }
  list(opts?: ListOptions): Promise<KubeList<T>> {
    return this.client.list<T>(this.plural, opts);
  }
  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.create<T>(this.plural, obj, opts);
  }
  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.update<T>(this.plural, obj, opts);
  }
  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.updateStatus<T>(this.plural, obj, opts);
  }
  patch(name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    return this.client.patch<T>(this.plural, name, patch, opts);
  }
  apply(obj: T, opts: ApplyOptions): Promise<T> {
    return this.client.apply<T>(this.plural, obj, opts);
  }
  delete(name: string, opts?: DeleteOptions): Promise<KubeObject | Status> {
    return this.client.delete(this.plural, name, opts);
  }
  watch(opts?: WatchOptions): AsyncGenerator<WatchEvent<T>> {
    return this.client.watch<T>(this.plural, opts);
  }
}
