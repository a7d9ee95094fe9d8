// Test fixtures for the audit log: a config with modifiers, events, and a log on a throwaway store.

import { FakeClock, type Clock } from "../../machinery/clock.js";
import { openSqliteStore } from "../../store/sqlite-store.js";
import type { Store } from "../../store/store.js";
import { defaultAuditConfig, type AuditConfig } from "../audit-config.js";
import { AuditLog, type AuditLogOptions } from "../audit-log.js";
import { ephemeralSigner, type CheckpointSigner } from "../../client/audit/checkpoint.js";
import type { AuditEvent } from "../../client/audit/event.js";

export const auditConfig = (modify: (c: AuditConfig) => void = () => {}): AuditConfig => {
  const config = defaultAuditConfig("/nonexistent-claw-test");
  modify(config);
  return config;
};

export const loginEvent = (modify: (e: AuditEvent) => void = () => {}): AuditEvent => {
  const event: AuditEvent = {
    type: "auth.login",
    actor: "user:alice",
    sourceIp: "10.0.0.7",
    resource: { group: "security.clawbernetes.com", kind: "User", name: "alice" },
    outcome: "success",
    details: { method: "password" },
  };
  modify(event);
  return event;
};

export interface TestLog {
  log: AuditLog;
  store: Store;
  clock: Clock;
  signer: CheckpointSigner;
  close(): Promise<void>;
}

export interface TestLogOptions extends Partial<Omit<AuditLogOptions, "config">> {
  config?: (c: AuditConfig) => void;
}

/** An AuditLog on an in-memory SQLite store (or the given one), started. */
export async function startTestLog(opts: TestLogOptions = {}): Promise<TestLog> {
  const store = opts.store ?? openSqliteStore({ path: ":memory:" });
  const clock = opts.clock ?? new FakeClock();
  const signer = opts.signer ?? ephemeralSigner();
  const log = new AuditLog({ ...opts, store, clock, signer, config: auditConfig(opts.config) });
  await log.start();
  return {
    log,
    store,
    clock,
    signer,
    async close() {
      await log.stop();
      if (!opts.store) await store.close();
    },
  };
}

/** Appends n events, all in one turn (they form one batch unless the caps split them). */
export const appendMany = (log: AuditLog, n: number, event: (i: number) => AuditEvent = (i) => loginEvent((e) => (e.details = { i }))) =>
  Promise.all(Array.from({ length: n }, (_, i) => log.append(event(i))));
