// The reconcile bench's controller manager: one controller over Roles that records, at each reconcile's
// start, how long ago the watch event that queued it arrived. It runs on the server's thread (as `claw
// server`'s in-process manager does) or in a worker thread of its own (as `claw controller-manager` does
// in a process of its own), driven through the same interface.

import diagnostics from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import pino from "pino";
import { systemClock } from "../../api/machinery/clock.js";
import type { Role } from "../../api/types/role.js";
import { RolesReconciler } from "../../controllers/roles/roles-controller.js";
import { Controller } from "../../controllers/runtime/controller.js";
import { Manager, type ControllerFactory } from "../../controllers/runtime/manager.js";
import { adminClient } from "../testing/admin-client.js";

export interface ManagerInput {
  adminConfigPath: string;
  /** `noop` measures the runtime alone; `roles` runs the real roles reconciler (a status write per change). */
  reconciler: "noop" | "roles";
  concurrency: number;
}

export interface Measurements {
  /** Per measured reconcile: event → reconcile start (ms). */
  eventToStart: number[];
  /** Each measured reconcile's start, with the seq of the change it saw, for write → reconcile start. */
  startsOfSeq: [seq: number, started: number][];
  /** How long each measured reconcile ran (its status write's round trip, for `roles`). */
  durations: number[];
  reconcileFailures: number;
  events: number;
  reconciles: number;
  /** Connections the manager's client opened while measuring: its local port and when it connected (shared clock). */
  connects: [port: number, at: number][];
}

export interface BenchManager {
  /** Starts measuring every watch event and reconcile from now. */
  measure(): Promise<void>;
  /** Waits (up to 2 s) for the events seen to be reconciled, stops measuring, and returns what was measured. */
  finish(): Promise<Measurements>;
  stop(): Promise<void>;
}

/** Milliseconds on a clock every thread of the process shares (each thread's performance.now() has its own origin). */
export const now = () => performance.timeOrigin + performance.now();

/** Starts the manager on this thread and resolves once its controller runs with synced caches. */
export async function startBenchManager(input: ManagerInput): Promise<BenchManager> {
  const logger = pino({ level: "warn" });
  const pendingSince = new Map<string, number>();
  const m: Measurements = { eventToStart: [], startsOfSeq: [], durations: [], reconcileFailures: 0, events: 0, reconciles: 0, connects: [] };
  const onConnected = (message: unknown) => {
    const port = (message as { socket?: Socket }).socket?.localPort;
    if (measuring && port !== undefined) m.connects.push([port, now()]);
  };
  diagnostics.subscribe("undici:client:connected", onConnected);
  let measuring = false;

  const bench: ControllerFactory = (ctx) => {
    const roles = ctx.informer<Role>("roles");
    roles.addHandler({
      onUpdate: (_old, obj) => {
        if (!measuring) return;
        m.events++;
        if (!pendingSince.has(obj.metadata.name)) pendingSince.set(obj.metadata.name, now());
      },
    });
    const work = input.reconciler === "roles" ? new RolesReconciler({ roles, client: ctx.client, clock: ctx.clock }) : undefined;
    const reconciler = {
      async reconcile({ name }: { name: string }) {
        const started = now();
        const since = pendingSince.get(name);
        pendingSince.delete(name);
        const result = work ? work.reconcile({ name }) : Promise.resolve({});
        if (!measuring || since === undefined) return result;
        void result.then(() => m.durations.push(now() - started), () => m.reconcileFailures++);
        m.reconciles++;
        m.eventToStart.push(started - since);
        const seq = Number(/^seq:(\d+)$/.exec(roles.get(name)?.spec?.description ?? "")?.[1] ?? NaN);
        if (Number.isInteger(seq)) m.startsOfSeq.push([seq, started]);
        return result;
      },
    };
    return new Controller({ name: "bench", reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, concurrency: input.concurrency }).watch(roles);
  };
  // The controller manager has its own connections, as it would in `claw server`: its status writes never queue behind the load's patches.
  const client = await adminClient(input.adminConfigPath);
  const manager = new Manager({ client, clock: systemClock, logger, controllers: [bench], leaderElection: { identity: "bench" } });
  manager.start();
  while (!manager.isRunning()) await systemClock.sleep(10);
  await manager.idle();
  return {
    async measure() {
      measuring = true;
    },
    async finish() {
      const drainUntil = now() + 2000;
      while ((pendingSince.size > 0 || m.events === 0) && now() < drainUntil) await systemClock.sleep(20);
      await manager.idle();
      measuring = false;
      return m;
    },
    async stop() {
      diagnostics.unsubscribe("undici:client:connected", onConnected);
      await manager.stop();
      await client.close();
    },
  };
}

type Command = "measure" | "finish" | "stop";

/** The same manager in a worker thread of its own, driven by messages. */
export async function startBenchManagerInWorker(input: ManagerInput): Promise<BenchManager> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { manager: input } });
  const replies: ((value: unknown) => void)[] = [];
  let failure: Error | undefined;
  worker.on("message", (value: unknown) => replies.shift()?.(value));
  worker.once("error", (err) => (failure = err));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      if (failure) return reject(failure);
      replies.push(resolve);
      worker.once("exit", (code) => reject(failure ?? new Error(`the manager worker exited (${code})`)));
    });
  const ask = (command: Command) => {
    const answer = next();
    worker.postMessage(command);
    return answer;
  };
  await next(); // started
  return {
    measure: async () => void (await ask("measure")),
    finish: async () => (await ask("finish")) as Measurements,
    stop: async () => {
      await ask("stop");
      await worker.terminate();
    },
  };
}

const job = (workerData as { manager?: ManagerInput } | null)?.manager;
if (!isMainThread && job) {
  void startBenchManager(job).then((manager) => {
    parentPort!.on("message", (command: Command) => {
      void (command === "measure" ? manager.measure() : command === "finish" ? manager.finish() : manager.stop()).then((value) => parentPort!.postMessage(value ?? null));
    });
    parentPort!.postMessage("started");
  });
}
