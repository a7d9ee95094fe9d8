import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../../api/client/api-types.js";
import { FakeClock } from "../../api/machinery/clock.js";
import { ApiError } from "../../api/machinery/errors.js";
import type { Certificate } from "../../api/types/certificate.js";
import { CertificateWaitError, waitForCertificate, type CertificateSource, type WaitOptions } from "./pki-wait.js";
import { certificateFixture, condition, noStatus, withCondition, withStatus } from "./testing/pki-fixture.js";

type Step = WatchEvent<Certificate> | Error | "end";

/** A source whose GETs answer from `gets` in turn (the last repeats) and whose watches play `steps`, then stay open until aborted. */
function sourceOf(gets: Certificate[], steps: Step[] = []): CertificateSource & { watchedFrom: (string | undefined)[] } {
  const watchedFrom: (string | undefined)[] = [];
  let getCount = 0;
  return {
    watchedFrom,
    get: async () => gets[Math.min(getCount++, gets.length - 1)]!,
    async *watch(_name, resourceVersion, signal) {
      watchedFrom.push(resourceVersion);
      while (steps.length > 0) {
        const step = steps.shift()!;
        if (step === "end") return;
        if (step instanceof Error) throw step;
        yield step;
      }
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const options = (clock: FakeClock, more: Partial<WaitOptions> = {}): WaitOptions => ({ name: "gateway", goal: { generation: 1, failedAttempts: 0 }, done: "issued", timeoutMs: 60_000, clock, ...more });
const pendingCert = certificateFixture(noStatus);
const modified = (object: Certificate): WatchEvent<Certificate> => ({ type: "MODIFIED", object });

describe("waitForCertificate", () => {
  it("returns at once, without saying it waits, when the certificate is already ready", async () => {
    const told: string[] = [];
    const ready = certificateFixture();
    await expect(waitForCertificate(sourceOf([ready]), options(new FakeClock(), { onPending: (v) => told.push(v.reason) }))).resolves.toBe(ready);
    expect(told).toEqual([]);
  });

  it("says once that it waits, then returns the first ready object the watch brings, watching from the version read", async () => {
    const told: string[] = [];
    const ready = certificateFixture(withStatus({ serialNumber: "ff" }));
    const source = sourceOf([certificateFixture(noStatus, (c) => void (c.metadata.resourceVersion = "7"))], [modified(pendingCert), modified(ready)]);
    await expect(waitForCertificate(source, options(new FakeClock(), { onPending: (v) => told.push(v.reason) }))).resolves.toBe(ready);
    expect(told).toEqual(["NoStatus"]);
    expect(source.watchedFrom).toEqual(["7"]);
  });

  it("fails with the Ready message when the issuer is missing", async () => {
    const missing = certificateFixture(withCondition(condition("Ready", "False", "IssuerNotFound", 'Certificate "other-ca" not found')));
    await expect(waitForCertificate(sourceOf([pendingCert], [modified(missing)]), options(new FakeClock()))).rejects.toThrow(
      new CertificateWaitError('certificate gateway cannot be issued: Certificate "other-ca" not found (IssuerNotFound)'),
    );
  });

  it("times out on the clock, with the last Ready message and the flag that waits longer", async () => {
    const clock = new FakeClock();
    const notReady = certificateFixture(withCondition(condition("Ready", "False", "IssuerNotReady", "issuer clawbernetes-ca is not ready")));
    const waiting = waitForCertificate(sourceOf([notReady]), options(clock, { timeoutMs: 90_000 }));
    const outcome = waiting.catch((err: unknown) => err);
    await flush();
    clock.step(89_999);
    await flush();
    expect(clock.pendingTimers()).toBe(1);
    clock.step(1);
    expect(await outcome).toEqual(new CertificateWaitError("timed out after 1m30s waiting for certificate gateway to be issued: issuer clawbernetes-ca is not ready (IssuerNotReady); wait longer with --timeout"));
    expect(clock.pendingTimers()).toBe(0);
  });

  it("reads again, after a pause, and watches from the new version when the watch's version is too old", async () => {
    const clock = new FakeClock();
    const later = certificateFixture(noStatus, (c) => void (c.metadata.resourceVersion = "20"));
    const source = sourceOf([pendingCert, later], [new ApiError(410, "Expired", "too old resource version"), modified(certificateFixture())]);
    const waiting = waitForCertificate(source, options(clock));
    await flush();
    expect(source.watchedFrom).toEqual(["10"]);
    clock.step(1000);
    await expect(waiting).resolves.toMatchObject({ status: { revision: 1 } });
    expect(source.watchedFrom).toEqual(["10", "20"]);
  });

  it("pauses on the clock before watching again when the server ended a watch with nothing in it", async () => {
    const clock = new FakeClock();
    const source = sourceOf([pendingCert, certificateFixture()], ["end"]);
    const waiting = waitForCertificate(source, options(clock));
    await flush();
    expect(source.watchedFrom).toEqual(["10"]);
    clock.step(1000);
    await expect(waiting).resolves.toMatchObject({ status: { revision: 1 } });
  });

  it("fails when the certificate is deleted meanwhile", async () => {
    await expect(waitForCertificate(sourceOf([pendingCert], [{ type: "DELETED", object: pendingCert }]), options(new FakeClock()))).rejects.toThrow("certificate gateway was deleted while waiting for it to be issued");
  });

  it("stops when the command is interrupted", async () => {
    const interrupt = new AbortController();
    const waiting = waitForCertificate(sourceOf([pendingCert]), options(new FakeClock(), { signal: interrupt.signal }));
    await flush();
    interrupt.abort();
    await expect(waiting).rejects.toThrow("interrupted while waiting for certificate gateway to be issued");
  });
});
