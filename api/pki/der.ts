// DER, the few shapes X.509 needs, read and written by hand. asn1-schema serializes a TBSCertificate in ~0.5 ms
// and parses a certificate in ~1 ms here, more than keygen and signing together; these take microseconds.
// certificate-signer.test.ts checks the bytes against asn1-x509's encoding of the same structures.

/** The universal and context tags X.509 uses. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;
/** A context-specific tag: [n] IMPLICIT on a primitive, or [n] on a constructed or EXPLICIT value. */
export const context = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

/** One DER element (single-byte tag): its tag, its contents and its whole encoding, as views of the input. */
export interface DerElement {
  tag: number;
  contents: Buffer;
  encoded: Buffer;
}

export function readDer(der: Buffer, offset = 0): DerElement {
  let at = offset + 1;
  const first = der[at++];
  if (first === undefined) throw new Error("the DER is truncated");
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let n = first & 0x7f; n > 0; n--) length = length * 256 + (der[at++] ?? 0);
  }
  if (at + length > der.length) throw new Error("the DER is truncated");
  return { tag: der[offset]!, contents: der.subarray(at, at + length), encoded: der.subarray(offset, at + length) };
}

export function derChildren(parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let at = 0; at < parent.contents.length; ) {
    const child = readDer(parent.contents, at);
    children.push(child);
    at += child.encoded.length;
  }
  return children;
}

export function der(tag: number, ...contents: Buffer[]): Buffer {
  const n = contents.reduce((sum, c) => sum + c.length, 0);
  const length: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) length.unshift(rest % 256);
  return Buffer.concat([Buffer.from(n < 0x80 ? [tag, n] : [tag, 0x80 | length.length, ...length]), ...contents]);
}

export const sequence = (...items: Buffer[]): Buffer => der(TAG.SEQUENCE, ...items);

/** A non-negative integer, minimal, with a 00 byte when its top bit is set. */
export function derInteger(value: number, tag: number = TAG.INTEGER): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  if (bytes.length === 0 || bytes[0]! >= 0x80) bytes.unshift(0);
  return der(tag, Buffer.from(bytes));
}

export function derOid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128 = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift((rest & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return der(TAG.OID, Buffer.from(bytes));
}

/** A BIT STRING of whole bytes, as keys and signatures are. */
export const derBits = (bytes: Buffer): Buffer => der(TAG.BIT_STRING, Buffer.of(0), bytes);

/** A named BIT STRING (KeyUsage): bit 0 is the first byte's top bit, trailing zero bits dropped (X.690 11.2.2). */
export function derNamedBits(flags: number): Buffer {
  const highest = 31 - Math.clz32(flags);
  const bytes = Buffer.alloc((highest >> 3) + 1);
  for (let bit = 0; bit <= highest; bit++) if (flags & (1 << bit)) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return der(TAG.BIT_STRING, Buffer.of(7 - (highest & 7)), bytes);
}

/** UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5), to the second, in UTC. */
export function derTime(date: Date): Buffer {
  const text = date.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? der(TAG.UTC_TIME, Buffer.from(text.slice(2), "latin1")) : der(TAG.GENERALIZED_TIME, Buffer.from(text, "latin1"));
}

export const derUtf8 = (text: string): Buffer => der(TAG.UTF8_STRING, Buffer.from(text, "utf8"));
export const derTrue = (): Buffer => Buffer.of(TAG.BOOLEAN, 1, 0xff);
export const derNull = (): Buffer => Buffer.of(TAG.NULL, 0);

export function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new Error(`no "${label}" PEM block found`);
  return Buffer.from(match[1].replace(/\s+/g, ""), "base64");
}

export function toPem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
}
