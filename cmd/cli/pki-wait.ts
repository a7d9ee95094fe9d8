// Waiting for the controllers to issue or renew a Certificate: one GET, then a watch of that one object
// from the version read, until judgeCertificate says ready or failed, the timeout on the CLI's clock
// passes, or the command is interrupted. A watch the server ends is started again from a fresh GET.

import type { WatchEvent } from "../../api/client/api-types.js";
import type { RestClient } from "../../api/client/rest-client.js";
import { pauseUnlessAborted, type Clock } from "../../api/machinery/clock.js";
import { isGone } from "../../api/machinery/errors.js";
import type { Certificate } from "../../api/types/certificate.js";
import { formatDuration } from "../../api/types/duration.js";
import { CERTIFICATES } from "./commands/pki-context.js";
import { judgeCertificate, type IssueGoal, type Unsettled, type Verdict } from "./pki-readiness.js";

export interface CertificateSource {
  get(name: string, signal: AbortSignal): Promise<Certificate>;
  /** Events of the one certificate after resourceVersion; ends when the server ends it or signal aborts. */
  watch(name: string, resourceVersion: string | undefined, signal: AbortSignal): AsyncIterable<WatchEvent<Certificate>>;
}

export const restCertificateSource = (client: RestClient): CertificateSource => ({
  get: (name, signal) => client.get<Certificate>(CERTIFICATES, name, { signal }),
  watch: (name, resourceVersion, signal) => client.watch<Certificate>(CERTIFICATES, { fieldSelector: `metadata.name=${name}`, ...(resourceVersion ? { resourceVersion } : {}), signal }),
});

export interface WaitOptions {
  name: string;
  goal: IssueGoal;
  /** The participle for messages: "issued", "renewed". */
  done: string;
  timeoutMs: number;
  clock: Clock;
  /** The command's signal (Ctrl-C). */
  signal?: AbortSignal;
  /** Told once, the first time the certificate is not ready yet (to say that the command waits). */
  onPending?: (verdict: Unsettled) => void;
}

/** The wait ended without the certificate: why, in words a person can act on. */
export class CertificateWaitError extends Error {
  override name = "CertificateWaitError";
}

/** A watch the server ended (or refused as too old) with nothing in it is started again after this, not in a tight loop. */
const QUIET_WATCH_PAUSE_MS = 1000;

export async function waitForCertificate(source: CertificateSource, opts: WaitOptions): Promise<Certificate> {
  const abort = new AbortController();
  const { signal } = abort;
  const interrupt = () => abort.abort();
  opts.signal?.addEventListener("abort", interrupt, { once: true });
  let timedOut = false;
  const timer = opts.clock.setTimer(opts.timeoutMs, () => {
    timedOut = true;
    abort.abort();
  });
  let last: Verdict | undefined;
  // The certificate when ready; throws when it failed.
  const judge = (cert: Certificate): Certificate | undefined => {
    const first = last === undefined;
    last = judgeCertificate(cert, opts.goal);
    if (first && last.state === "pending") opts.onPending?.(last);
    if (last.state === "failed") throw new CertificateWaitError(`certificate ${opts.name} cannot be ${opts.done}: ${last.message} (${last.reason})`);
    return last.state === "ready" ? cert : undefined;
  };
  try {
    while (!signal.aborted) {
      let current: Certificate;
      try {
        current = await source.get(opts.name, signal);
      } catch (err) {
        if (signal.aborted) break;
        throw err;
      }
      const ready = judge(current);
      if (ready) return ready;
      let events = 0;
      try {
        for await (const event of source.watch(opts.name, current.metadata.resourceVersion, signal)) {
          if (event.type === "BOOKMARK") continue;
          events++;
          if (event.type === "DELETED") throw new CertificateWaitError(`certificate ${opts.name} was deleted while waiting for it to be ${opts.done}`);
          const done = judge(event.object);
          if (done) return done;
        }
      } catch (err) {
        if (signal.aborted) break;
        // Too old a version to watch from: read it again (below).
        if (!isGone(err)) throw err;
      }
      if (events === 0) await pauseUnlessAborted(opts.clock, QUIET_WATCH_PAUSE_MS, signal);
    }
  } finally {
    timer.cancel();
    opts.signal?.removeEventListener("abort", interrupt);
  }
  const lastSeen = last && last.state !== "ready" ? `: ${last.message}${last.reason === "NoStatus" ? "" : ` (${last.reason})`}` : "";
  if (timedOut) throw new CertificateWaitError(`timed out after ${formatDuration(opts.timeoutMs)} waiting for certificate ${opts.name} to be ${opts.done}${lastSeen}; wait longer with --timeout`);
  throw new CertificateWaitError(`interrupted while waiting for certificate ${opts.name} to be ${opts.done}`);
}
