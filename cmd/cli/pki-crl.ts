// Reading a CRL the server published: its dates and revoked serials. @peculiar/x509 is loaded only here
// and only when a command reads a CRL, so other commands do not pay for it; parsing needs no crypto engine.

export interface RevokedEntry {
  /** Lowercase hexadecimal, as status.serialNumber. */
  serialNumber: string;
  revokedAt: Date;
  /** The RFC 5280 reason name; unspecified when the entry gives none. */
  reason: string;
}

export interface CrlSummary {
  issuer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: RevokedEntry[];
}

export async function readCrl(pem: string): Promise<CrlSummary> {
  await import("reflect-metadata");
  const { X509Crl, X509CrlReason } = await import("@peculiar/x509");
  let crl: InstanceType<typeof X509Crl>;
  try {
    crl = new X509Crl(pem);
  } catch (err) {
    throw new Error(`the server's CRL cannot be read: ${(err as Error).message}`);
  }
  return {
    issuer: crl.issuer,
    thisUpdate: crl.thisUpdate,
    ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate } : {}),
    revoked: crl.entries.map((e) => ({ serialNumber: e.serialNumber.toLowerCase(), revokedAt: e.revocationDate, reason: e.reason === undefined ? "unspecified" : (X509CrlReason[e.reason] ?? String(e.reason)) })),
  };
}
