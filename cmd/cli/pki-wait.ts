// Waiting for the controllers to issue or renew a Certificate: watchUntil (watch-until.ts) with
// judgeCertificate, until it says ready or failed, the timeout on the CLI's clock passes, or the command is
// interrupted.

import type { WatchEvent } from "../../api/client/api-types.js";
import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import type { Certificate } from "../../api/types/certificate.js";
import { formatDuration } from "../../api/types/duration.js";
import { CERTIFICATES } from "./commands/pki-context.js";
import { judgeCertificate, type IssueGoal, type Unsettled, type Verdict } from "./pki-readiness.js";
import { watchUntil, type WatchedObject } from "./watch-until.js";

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

export async function waitForCertificate(source: CertificateSource, opts: WaitOptions): Promise<Certificate> {
  let last: Verdict | undefined;
  const one: WatchedObject<Certificate> = { get: (signal) => source.get(opts.name, signal), watch: (rv, signal) => source.watch(opts.name, rv, signal) };
  const outcome = await watchUntil(
    one,
    // The certificate when ready; throws when it failed or went away.
    (cert, seen) => {
      if (seen === "deleted" || !cert) throw new CertificateWaitError(`certificate ${opts.name} was deleted while waiting for it to be ${opts.done}`);
      const first = last === undefined;
      last = judgeCertificate(cert, opts.goal);
      if (first && last.state === "pending") opts.onPending?.(last);
      if (last.state === "failed") throw new CertificateWaitError(`certificate ${opts.name} cannot be ${opts.done}: ${last.message} (${last.reason})`);
      return last.state === "ready" ? cert : undefined;
    },
    opts,
  );
  if (outcome.settled) return outcome.value;
  const lastSeen = last && last.state !== "ready" ? `: ${last.message}${last.reason === "NoStatus" ? "" : ` (${last.reason})`}` : "";
  if (outcome.timedOut) throw new CertificateWaitError(`timed out after ${formatDuration(opts.timeoutMs)} waiting for certificate ${opts.name} to be ${opts.done}${lastSeen}; wait longer with --timeout`);
  throw new CertificateWaitError(`interrupted while waiting for certificate ${opts.name} to be ${opts.done}`);
}
