// Writes status fields of a Certificate through /status, guarded by the resourceVersion it read. The three
// controllers and the issue endpoint share the status: each writes exactly the fields it computed and keeps
// the others as read, and computes status.conditions from the list it read with only its own condition
// set — so a guarded write never erases another writer's field or condition.

import type { RestClient } from "../../api/client/rest-client.js";
import { isConflict, isNotFound } from "../../api/machinery/errors.js";
import { plural, type Certificate, type CertificateStatus } from "../../api/types/certificate.js";
import { writeStatus } from "../runtime/status-writer.js";

/** True when written (or already so); false when the object moved or went away since it was read. */
export async function writeCertificateStatus(opts: { client: RestClient; current: Certificate; status: CertificateStatus; fieldManager: string }): Promise<boolean> {
  const ownedFields = Object.keys(opts.status);
  try {
    await writeStatus({ client: opts.client, plural, current: opts.current, status: opts.status, ownedFields, fieldManager: opts.fieldManager });
    return true;
  } catch (err) {
    // A decision made on a copy that is no longer current is dropped: the event of the newer object (or of
    // its deletion) brings the key back to be decided again.
    if (isConflict(err) || isNotFound(err)) return false;
    throw err;
  }
}
