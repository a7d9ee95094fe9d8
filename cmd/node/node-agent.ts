// `claw node run`: the agent's loop. It opens one session to the gateway with the node certificate, keeps the
// mesh and the kernel blocklist in step with what the session sends, heartbeats at the interval the server
// asks for, renews its certificate by CSR before it expires (as kubelet's rotation does), and reconnects with
// a capped backoff whenever the session ends.

import { pauseUnlessAborted, type Clock, type Timer } from "../../api/machinery/clock.js";
import type { Heartbeat, MeshPeer, SessionHello, SessionMessage } from "../../api/types/nodes-api.js";
import { GatewayClient, GatewayError, type SessionStream } from "./gateway-client.js";
import { newKeyAndCsr, nodeNameOf, readCredentials, renewalAt, writeCredentials, type HeldCredentials, type TlsPaths } from "./node-credentials.js";

/** The mesh as the agent drives it (WireGuard, Tailscale, or none). */
export interface MeshDriver {
  /** What the session's hello says of the mesh (makes the WireGuard key on first run, brings Tailscale up). */
  hello(): Promise<SessionHello["mesh"]>;
  /** The address the server allocated (WireGuard), with the mesh's prefix length. */
  configure(meshAddress: string | undefined): Promise<void>;
  setPeers(peers: readonly MeshPeer[]): Promise<void>;
  /** What the heartbeat reports of the mesh. */
  observe(): Promise<Heartbeat["mesh"] | undefined>;
}

/** The kernel's copy of the blocklist ([network.firewall] enforce_blocklist). */
export interface BlocklistEnforcer {
  apply(cidrs: readonly string[]): Promise<unknown>;
}

export interface AgentLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface NodeAgentOptions {
  gateway: string;
  tls: TlsPaths;
  /** From clawnode.toml [node] name; otherwise the certificate's common name. */
  name?: string;
  version: string;
  clock: Clock;
  log: AgentLog;
  mesh: MeshDriver;
  blocklist?: BlocklistEnforcer;
  /** The node's own addresses, reported in the hello and heartbeats. */
  addresses: () => string[];
  signal: AbortSignal;
  /** Backoff between reconnects: doubles from min to max. */
  reconnect?: { minMs: number; maxMs: number };
  /** Called after each session ends, for tests that follow the agent. */
  onSessionEnded?: (reason: string) => void;
}

/**
 * Renewals are at least this far apart, whatever the certificate says: a node whose clock runs ahead of the
 * CA's would otherwise find every new certificate due at once and renew in a loop.
 */
export const MIN_RENEWAL_GAP_MS = 10 * 60_000;

export async function runNodeAgent(opts: NodeAgentOptions): Promise<void> {
  const backoff = opts.reconnect ?? { minMs: 1_000, maxMs: 30_000 };
  const renewals = { lastMs: Number.NEGATIVE_INFINITY };
  let delay = backoff.minMs;
  while (!opts.signal.aborted) {
    let held: HeldCredentials;
    try {
      held = readCredentials(opts.tls);
    } catch (err) {
      opts.log.warn((err as Error).message);
      await pauseUnlessAborted(opts.clock, backoff.maxMs, opts.signal);
      continue;
    }
    const name = opts.name ?? nodeNameOf(held.certPem) ?? "";
    try {
      if (opts.clock.now() >= dueAt(held, renewals)) held = await renew(opts, name, held, renewals);
      const ended = await runSession(opts, name, held, renewals);
      opts.onSessionEnded?.(ended);
      delay = backoff.minMs;
      if (ended === "renewed") continue;
    } catch (err) {
      const message = err instanceof GatewayError || err instanceof Error ? err.message : String(err);
      opts.log.warn("the session to the gateway failed; reconnecting", { error: message, inMs: delay });
      opts.onSessionEnded?.(`failed: ${message}`);
    }
    await pauseUnlessAborted(opts.clock, delay, opts.signal);
    delay = Math.min(backoff.maxMs, delay * 2);
  }
}

/** One session, until it ends: "closed", "goodbye: <reason>", "renewed" or "stopped". */
async function runSession(opts: NodeAgentOptions, name: string, held: HeldCredentials, renewals: { lastMs: number }): Promise<string> {
  const client = new GatewayClient(opts.gateway, { ca: held.caPem, cert: held.certPem, key: held.keyPem }, `claw-node/${opts.version}`);
  const timers: Timer[] = [];
  let stream: SessionStream | undefined;
  let outcome = "closed";
  const end = (why: string) => {
    outcome = why;
    stream?.close();
  };
  const onAbort = () => end("stopped");
  opts.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const mesh = await opts.mesh.hello();
    stream = await client.session(name, { agentVersion: opts.version, addresses: opts.addresses(), mesh, enforceBlocklist: opts.blocklist !== undefined });
    opts.log.info("session open", { node: name, gateway: opts.gateway });
    let renewAt = dueAt(held, renewals);
    let renewal: Timer | undefined;
    const scheduleRenewal = () => {
      renewal?.cancel();
      renewal = opts.clock.setTimer(Math.max(0, renewAt - opts.clock.now()), () => {
        void renew(opts, name, held, renewals).then(
          () => end("renewed"),
          (err: Error) => opts.log.warn("certificate renewal failed; the next session tries again", { error: err.message }),
        );
      });
      timers.push(renewal);
    };
    scheduleRenewal();
    // Messages are handled one after another: a peer list never overtakes the address it depends on.
    let work = Promise.resolve();
    for await (const message of stream.messages) {
      work = work.then(() => handle(opts, message, { name, client, timers, end, earlierRenewal: (at) => {
          if (at >= renewAt - 1_000 || at < renewals.lastMs + MIN_RENEWAL_GAP_MS) return;
          renewAt = at;
          scheduleRenewal();
        } }));
      if (message.type === "Goodbye") outcome = `goodbye: ${message.reason}`;
    }
    await work;
    return outcome;
  } finally {
    opts.signal.removeEventListener("abort", onAbort);
    for (const timer of timers) timer.cancel();
    await client.close();
  }
}

interface SessionState {
  name: string;
  client: GatewayClient;
  timers: Timer[];
  end: (why: string) => void;
  earlierRenewal: (at: number) => void;
}

async function handle(opts: NodeAgentOptions, message: SessionMessage, state: SessionState): Promise<void> {
  try {
    switch (message.type) {
      case "Welcome":
        await opts.mesh.configure(message.meshAddress);
        startHeartbeats(opts, message.sessionId, message.heartbeatIntervalSeconds * 1000, state);
        return;
      case "Peers":
        await opts.mesh.setPeers(message.peers);
        opts.log.info("mesh peers updated", { peers: message.peers.map((p) => p.name) });
        return;
      case "Blocklist":
        await opts.blocklist?.apply(message.cidrs);
        opts.log.info("kernel blocklist updated", { entries: message.cidrs.length });
        return;
      case "Goodbye":
        opts.log.warn("the gateway ended the session", { reason: message.reason, message: message.message });
        return;
      case "Ping":
        return;
    }
  } catch (err) {
    opts.log.warn(`could not apply the gateway's ${message.type}`, { error: (err as Error).message });
  }
}

function startHeartbeats(opts: NodeAgentOptions, sessionId: string, intervalMs: number, state: SessionState): void {
  const beat = async () => {
    try {
      const mesh = await opts.mesh.observe();
      const answer = await state.client.heartbeat(state.name, { sessionId, addresses: opts.addresses(), ...(mesh ? { mesh } : {}) });
      const at = Date.parse(answer.renewalTime ?? "");
      if (Number.isFinite(at)) state.earlierRenewal(at);
    } catch (err) {
      // The server no longer knows the session: open a new one.
      if (err instanceof GatewayError && err.status === 404) return state.end("closed");
      opts.log.warn("heartbeat failed", { error: (err as Error).message });
    }
    state.timers.push(opts.clock.setTimer(intervalMs, () => void beat()));
  };
  state.timers.push(opts.clock.setTimer(intervalMs, () => void beat()));
}

/** A new key and certificate by CSR, authenticated by the current certificate; written before it is used. */
const dueAt = (held: HeldCredentials, renewals: { lastMs: number }) => Math.max(renewalAt(held), renewals.lastMs + MIN_RENEWAL_GAP_MS);

async function renew(opts: NodeAgentOptions, name: string, held: HeldCredentials, renewals: { lastMs: number }): Promise<HeldCredentials> {
  renewals.lastMs = opts.clock.now();
  const { keyPem, csrPem } = await newKeyAndCsr(name);
  const client = new GatewayClient(opts.gateway, { ca: held.caPem, cert: held.certPem, key: held.keyPem }, `claw-node/${opts.version}`);
  try {
    const credentials = await client.renew(name, { csr: csrPem });
    writeCredentials(opts.tls, keyPem, credentials);
    opts.log.info("renewed the node certificate", { serialNumber: credentials.serialNumber, notAfter: credentials.notAfter });
    return readCredentials(opts.tls);
  } finally {
    await client.close();
  }
}
