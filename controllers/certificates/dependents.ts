// A CA's changes concern the Certificates it signs: each controller watches the Certificates informer for
// the object itself and for the dependents of a CA, found through an index on spec.issuerRef.name.

import type { Certificate } from "../../api/types/certificate.js";
import type { Controller } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";

/** Certificates filed under the name of the CA in their spec.issuerRef. */
export const CERTIFICATES_BY_ISSUER = "spec.issuerRef.name";

/** The names of the Certificates that `ca` signs. */
export const dependentsOf = (certificates: Informer<Certificate>, ca: Certificate): string[] =>
  certificates.byIndex(CERTIFICATES_BY_ISSUER, ca.metadata.name).map((c) => c.metadata.name);

/** Reconciles a Certificate when it changes, and every Certificate it signs. */
export function watchWithDependents(controller: Controller, certificates: Informer<Certificate>): Controller {
  // The three controllers share the informer; adding the same index again replaces it with the same function.
  certificates.addIndex(CERTIFICATES_BY_ISSUER, (c) => (c.spec?.issuerRef ? [c.spec.issuerRef.name] : []));
  return controller.watch(certificates, (c) => [c.metadata.name, ...dependentsOf(certificates, c)]);
}
