// The PKI API's imperative endpoints (api/types/pki-api.ts) as typed calls; answers are checked, not trusted.
// Certificates themselves go through the RestClient like any resource.

import { Agent, request, type Dispatcher } from "undici";
import { toConnectionError } from "../../api/client/connection-error.js";
import type { RestClient, TlsOptions } from "../../api/client/rest-client.js";
import { errorFromResponse } from "../../api/client/response-error.js";
import type { Certificate, CertificateRevocationReason } from "../../api/types/certificate.js";
import { pkiPaths, type CertificateKeyPair, type RevokeRequest } from "../../api/types/pki-api.js";
import { malformed, num, shape, str, type AnswerObject } from "./answer-shape.js";

export interface PkiApiOptions {
  client: RestClient;
  /** Where the public CRL is fetched from, without the credential. */
  server: string;
  tls: TlsOptions;
  userAgent: string;
  signal?: AbortSignal;
}

const PEM_CRL = "-----BEGIN X509 CRL-----";

export class PkiApi {
  constructor(private readonly opts: PkiApiOptions) {}

  /** Asks the controllers to issue the certificate again now (Issuing=True, ManuallyTriggered). */
  async renew(name: string): Promise<Certificate> {
    const path = pkiPaths.renew(name);
    return certificate(await this.post(path, undefined), path);
  }

  /** Revokes it: on its issuer's CRL when this returns. */
  async revoke(name: string, reason: CertificateRevocationReason): Promise<Certificate> {
    const path = pkiPaths.revoke(name);
    const body: RevokeRequest = { reason };
    return certificate(await this.post(path, body), path);
  }

  /** The certificate, its chain, the root and the private key (certificates:admin; audited). */
  async keyPair(name: string): Promise<CertificateKeyPair> {
    const path = pkiPaths.privateKey(name);
    const body = shape(await this.post(path, undefined), path);
    const pem = (field: string) => {
      const v = body[field];
      if (typeof v !== "string") throw malformed(path, field);
      return v;
    };
    return {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "CertificateKeyPair",
      name: str(body, "name", path),
      serialNumber: str(body, "serialNumber", path),
      revision: num(body, "revision", path),
      certificate: str(body, "certificate", path),
      chain: pem("chain"),
      ca: str(body, "ca", path),
      privateKey: str(body, "privateKey", path),
    };
  }

  /** The CA's current CRL, PEM, from the public path: no credential is sent. */
  async crlPem(caName: string): Promise<string> {
    const path = pkiPaths.crlPem(caName);
    const text = await this.publicText(path, "application/x-pem-file");
    if (!text.trimStart().startsWith(PEM_CRL)) throw malformed(path, "CRL");
    return text;
  }

  private post(path: string, body: unknown): Promise<unknown> {
    return this.opts.client.requestJson<unknown>({ method: "POST", path, ...(body !== undefined ? { body } : {}), ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
  }

  // The RestClient reads JSON only; a CRL is a PEM file, fetched on a connection of its own.
  private async publicText(path: string, accept: string): Promise<string> {
    const { tls } = this.opts;
    const server = this.opts.server.replace(/\/+$/, "");
    const dispatcher: Dispatcher = new Agent({
      connect: { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.serverName ? { servername: tls.serverName } : {}), rejectUnauthorized: !tls.insecureSkipVerify },
    });
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(`${server}${path}`, { dispatcher, method: "GET", headers: { accept, "user-agent": this.opts.userAgent }, ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
      } catch (err) {
        throw toConnectionError(server, err) ?? err;
      }
      if (response.statusCode >= 400) throw await errorFromResponse(response);
      return await response.body.text();
    } finally {
      await dispatcher.close();
    }
  }
}

function certificate(raw: unknown, path: string): Certificate {
  const body: AnswerObject = shape(raw, path);
  if (body.kind !== "Certificate") throw malformed(path, "kind");
  const metadata = body.metadata;
  if (typeof metadata !== "object" || metadata === null || typeof (metadata as AnswerObject).name !== "string") throw malformed(path, "metadata.name");
  return body as unknown as Certificate;
}
