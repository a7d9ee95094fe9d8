// IP addresses and CIDR blocks as bytes and as one canonical text (RFC 5952 for IPv6), shared by the guard's
// blocklist, the blockrules controller and `claw security`, so that all three agree on what a BlockRule blocks.
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is IPv4 everywhere: a dual-stack socket reports IPv4 clients that way.

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Cidr extends IpAddress {
  /** Leading bits that count: 0–32 for IPv4, 0–128 for IPv6. Bits beyond it are zero in `bytes`. */
  prefix: number;
  /** The canonical text, always with its prefix: "203.0.113.42/32", "2001:db8::/32", "10.0.0.0/8" for "10.1.2.3/8". */
  text: string;
}

const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** Dotted decimal, scanned by hand: the guard parses every connection's address. */
function parseIpv4(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(4);
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46; // the end closes the last octet like a dot
    if (code === 46) {
      if (digits === 0 || octet > 3) return undefined;
      bytes[octet++] = value;
      value = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      // Leading zeros are refused: some parsers read "010" as octal, and the blocklist must not guess.
      if (digits > 0 && value === 0) return undefined;
      value = value * 10 + (code - 48);
      if (value > 255) return undefined;
      digits++;
    } else return undefined;
  }
  return octet === 4 ? bytes : undefined;
}

/** The value of a hex digit's char code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** The 16 bytes of an IPv6 text: hex groups, one `::` at most, an optional trailing dotted IPv4; scanned by hand. */
function parseIpv6(text: string): Uint8Array | undefined {
  const words = new Uint16Array(8);
  let count = 0;
  let gap = -1; // where `::` stands, in words
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < text.length) {
    if (count === 8) return undefined;
    const start = i;
    let value = 0;
    for (let digit = hexDigit(text.charCodeAt(i)); digit >= 0; digit = hexDigit(text.charCodeAt(++i))) {
      if (i - start === 4) return undefined;
      value = value * 16 + digit;
    }
    if (text.charCodeAt(i) === 46) {
      // Dotted IPv4 ends the address and fills two words.
      const v4 = count <= 6 ? parseIpv4(text.slice(start)) : undefined;
      if (v4 === undefined) return undefined;
      words[count++] = ((v4[0] ?? 0) << 8) | (v4[1] ?? 0);
      words[count++] = ((v4[2] ?? 0) << 8) | (v4[3] ?? 0);
      break;
    }
    if (i === start) return undefined;
    words[count++] = value;
    if (i === text.length) break;
    if (text.charCodeAt(i++) !== 58 || i === text.length) return undefined;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  if (gap >= 0) {
    const tail = words.slice(gap, count);
    words.fill(0, gap);
    words.set(tail, 8 - tail.length);
  }
  const bytes = new Uint8Array(16);
  for (let w = 0; w < 8; w++) {
    bytes[2 * w] = (words[w] ?? 0) >> 8;
    bytes[2 * w + 1] = (words[w] ?? 0) & 0xff;
  }
  return bytes;
}

/** Whether 16 bytes are ::ffff:a.b.c.d. */
function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * An address as family and bytes; IPv4-mapped IPv6 comes back as IPv4. A zone (`fe80::1%eth0`) is dropped,
 * since a block names a host, not an interface. Undefined for anything that is not an address.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    const zone = text.indexOf("%");
    const bytes = parseIpv6(zone >= 0 && zone < text.length - 1 ? text.slice(0, zone) : text);
    if (bytes === undefined) return undefined;
    return isV4Mapped(bytes) ? { family: 4, bytes: bytes.slice(12) } : { family: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes && { family: 4, bytes };
}

/** The canonical text of 4 or 16 bytes: dotted decimal, or RFC 5952 (lower case, longest zero run as `::`). */
export function formatIp(address: IpAddress): string {
  const { bytes } = address;
  if (address.family === 4) return Array.from(bytes.subarray(0, 4)).join(".");
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is written out, never as ::
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (list: number[]) => list.map((w) => w.toString(16)).join(":");
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

/** The canonical text of an address (IPv4-mapped IPv6 as IPv4); undefined for something that is not one. */
export function normalizeIp(ip: string): string | undefined {
  const address = parseIp(ip);
  return address && formatIp(address);
}

/**
 * A CIDR block, or a bare address as a /32 or /128. Host bits beyond the prefix are cleared (the canonical
 * text shows the network), and an IPv4-mapped block of /96 or longer becomes the IPv4 block.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  if (addressText.includes("%")) return undefined;
  let family: IpFamily;
  let bytes: Uint8Array | undefined;
  if (addressText.includes(":")) [family, bytes] = [6, parseIpv6(addressText)];
  else [family, bytes] = [4, parseIpv4(addressText)];
  if (bytes === undefined) return undefined;
  const width = family === 4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!PREFIX.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > width) return undefined;
  }
  if (family === 6 && prefix >= 96 && isV4Mapped(bytes)) [family, bytes, prefix] = [4, bytes.slice(12), prefix - 96];
  const masked = maskBytes(bytes, prefix);
  return { family, bytes: masked, prefix, text: `${formatIp({ family, bytes: masked })}/${prefix}` };
}

/** A copy of `bytes` with every bit after the first `prefix` cleared. */
function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    out[i] = (out[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** The canonical text of an address or block with its prefix ("203.0.113.42/32"), for comparing two spellings; undefined if invalid. */
export function canonicalCidr(text: string): string | undefined {
  return parseCidr(text)?.text;
}

/** A block as people write it: a single host as its bare address ("203.0.113.42"), a network with its prefix. */
export function shortCidrText(cidr: Cidr): string {
  return cidr.prefix === (cidr.family === 4 ? 32 : 128) ? formatIp(cidr) : cidr.text;
}

/** Every IPv6 group written out as four hex digits ("2001:0db8:0000:…:0001"), for names that must not collide. */
export function expandedIp(address: IpAddress): string {
  if (address.family === 4) return formatIp(address);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0)).toString(16).padStart(4, "0"));
  return groups.join(":");
}

/** Whether `outer` contains all of `inner` (same family, no longer prefix, same leading bits). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  for (let i = 0; i < outer.prefix; i++) {
    const bit = (bytes: Uint8Array) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
    if (bit(outer.bytes) !== bit(inner.bytes)) return false;
  }
  return true;
}
