// Whether the CA a Certificate names can sign it now, from the cache: the issuing controller waits on it
// and readiness reports it. The server checks the same when it signs (and answers 409 otherwise).

import { findCondition } from "../../api/machinery/conditions.js";
import type { Certificate } from "../../api/types/certificate.js";
import { CONDITION_READY } from "../../api/types/pki-api.js";

export type IssuerState =
  /** A root CA signs itself. */
  | { kind: "selfSigned" }
  | { kind: "missing"; name: string; message: string }
  | { kind: "notCA"; name: string; message: string }
  | { kind: "notReady"; name: string; message: string }
  | { kind: "ready"; name: string; issuer: Certificate };

export function issuerStateOf(opts: { certificate: Certificate; issuer: Certificate | undefined; now: number }): IssuerState {
  const name = opts.certificate.spec?.issuerRef?.name;
  if (name === undefined) return { kind: "selfSigned" };
  const { issuer } = opts;
  if (!issuer || issuer.metadata.deletionTimestamp) return { kind: "missing", name, message: `issuer "${name}" does not exist; create it or name another CA in spec.issuerRef` };
  if (issuer.spec?.isCA !== true) return { kind: "notCA", name, message: `issuer "${name}" is not a CA (its spec.isCA is false); name a CA in spec.issuerRef` };
  const notReady = (why: string) => ({ kind: "notReady" as const, name, message: `issuer "${name}" ${why}` });
  if (issuer.spec.revoked) return notReady("is revoked; name another CA in spec.issuerRef");
  const status = issuer.status;
  if (!status?.certificate || !status.serialNumber) return notReady("has not been issued yet");
  const notAfterMs = Date.parse(status.notAfter ?? "");
  if (!(notAfterMs > opts.now)) return notReady(`expired at ${status.notAfter ?? "an unknown time"}`);
  const ready = findCondition(status.conditions, CONDITION_READY);
  if (ready?.status !== "True") return notReady(ready ? `is not Ready (${ready.reason}: ${ready.message})` : "is not Ready yet");
  return { kind: "ready", name, issuer };
}
