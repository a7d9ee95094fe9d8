// A certificate signing request (PKCS#10) from a holder that keeps its key (a node agent), read and checked
// before the CA signs for it: bounded in size before it is parsed, signed by its own key (the holder proves it
// has the private key), of a key kind the CA signs, and naming the expected common name exactly. Only its
// public key is used: what the certificate says comes from its Certificate's spec, never from the request.

import { createPublicKey, type KeyObject } from "node:crypto";
import { ApiError } from "../machinery/errors.js";
import type { KeySpec } from "./certificate-template.js";
import { keySpecOfKey } from "./private-key.js";
import { x509 } from "./x509.js";

/** A CSR is a few hundred bytes (an RSA 8192 one under 3 KiB): anything larger is refused before it is parsed. */
export const MAX_CSR_BYTES = 16 * 1024;

/** The field of the request a refusal points at (JoinRequest.csr, CsrRequest.csr). */
const FIELD = "csr";
const PEM_BLOCK = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([^-]*)-----END (NEW )?CERTIFICATE REQUEST-----/g;
const RSA_BITS = { min: 2048, max: 8192 };
const KINDS = "ECDSA P-256 or P-384, Ed25519, or RSA of 2048 to 8192 bits";

export interface CertificateRequestFacts {
  /** The requester's SubjectPublicKeyInfo, DER. */
  publicKeyDer: Buffer;
  keySpec: KeySpec;
}

/** The CSR's public key once every check passed; otherwise ApiError 422 saying what is wrong and how to fix it. */
export async function readCertificateRequest(pem: string, opts: { commonName: string }): Promise<CertificateRequestFacts> {
  const bytes = Buffer.byteLength(pem, "utf8");
  if (bytes > MAX_CSR_BYTES) throw refuse("FieldValueTooLong", `Too long: the CSR is ${bytes} bytes; it may not be longer than ${MAX_CSR_BYTES} (a CSR for one key is under 3 KiB)`);
  const csr = parse(pem);
  const { publicKeyDer, keySpec } = supportedKey(csr);
  if (!(await verifies(csr))) throw refuse("FieldValueInvalid", "Invalid value: the CSR's signature does not verify with its own public key: it was altered, or signed with another key; sign it again with the key it carries");
  const names = commonNamesOf(csr);
  if (names.length !== 1 || names[0] !== opts.commonName) {
    const found = names.length === 0 ? "no common name" : `common name ${names.map((n) => JSON.stringify(n.slice(0, 64))).join(", ")}`;
    throw refuse("FieldValueInvalid", `Invalid value: the CSR's subject has ${found}; it must be exactly "${opts.commonName}": make the CSR with the subject CN=${opts.commonName}`);
  }
  return { publicKeyDer, keySpec };
}

function parse(pem: string): x509.Pkcs10CertificateRequest {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const body = blocks[0]?.[2]?.replace(/\s+/g, "") ?? "";
  const unreadable = (why: string) =>
    refuse("FieldValueInvalid", `Invalid value: ${why}; send one PEM PKCS#10 request (-----BEGIN CERTIFICATE REQUEST-----), as \`openssl req -new\` or the node agent makes it`);
  if (blocks.length !== 1) throw unreadable(blocks.length === 0 ? "the CSR holds no PEM certificate request" : `the CSR holds ${blocks.length} PEM certificate requests, not one`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw unreadable("the CSR's PEM body is not base64");
  try {
    return new x509.Pkcs10CertificateRequest(Buffer.from(body, "base64"));
  } catch {
    throw unreadable("the CSR's PEM body is not a DER PKCS#10 certificate request");
  }
}

/** The key's kind, when the CA signs for it: the curves and sizes TLS clients everywhere accept. */
function supportedKey(csr: x509.Pkcs10CertificateRequest): CertificateRequestFacts {
  let publicKeyDer: Buffer;
  let key: KeyObject;
  let spec: KeySpec;
  try {
    publicKeyDer = Buffer.from(csr.publicKey.rawData);
    key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  } catch {
    throw refuse("FieldValueInvalid", "Invalid value: the CSR's public key cannot be read; make the CSR again with the node's key");
  }
  try {
    spec = keySpecOfKey(key);
  } catch {
    throw refuse("FieldValueNotSupported", `Unsupported value: the CSR's key is of type ${key.asymmetricKeyType ?? "unknown"}; the CA signs ${KINDS}`);
  }
  const supported =
    spec.algorithm === "Ed25519" || (spec.algorithm === "ECDSA" && (spec.size === 256 || spec.size === 384)) || (spec.algorithm === "RSA" && (spec.size ?? 0) >= RSA_BITS.min && (spec.size ?? 0) <= RSA_BITS.max);
  if (!supported) throw refuse("FieldValueNotSupported", `Unsupported value: the CSR's key is ${spec.algorithm === "ECDSA" ? `ECDSA P-${spec.size}` : `RSA ${spec.size} bits`}; the CA signs ${KINDS}: make the node's key one of those`);
  return { publicKeyDer, keySpec: spec };
}

async function verifies(csr: x509.Pkcs10CertificateRequest): Promise<boolean> {
  try {
    return await csr.verify();
  } catch {
    // A signature algorithm WebCrypto does not know, or one that does not fit the key: not proof of anything.
    return false;
  }
}

function commonNamesOf(csr: x509.Pkcs10CertificateRequest): string[] {
  try {
    return csr.subjectName.getField("CN");
  } catch {
    return [];
  }
}

const refuse = (reason: string, message: string) => new ApiError(422, "Invalid", `the certificate signing request is refused: ${FIELD}: ${message}`, { causes: [{ field: FIELD, reason, message }] });
