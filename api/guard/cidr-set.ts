// The blocklist's matcher: a binary trie over address bits, one per family, so a lookup costs one step per
// prefix bit (at most 33 for IPv4, 129 for IPv6) however many rules there are. Values sit on the node of
// their CIDR; a lookup collects every value on the path of the address's bits.
// IPv4 and IPv6 are separate spaces: an IPv4 client (or ::ffff:a.b.c.d) matches only IPv4 blocks, and ::/0
// blocks all IPv6 but not IPv4, the way operators read 0.0.0.0/0 and ::/0.

import { parseCidr, parseIp, type IpAddress } from "../machinery/ip-address.js";

export { normalizeIp, parseCidr } from "../machinery/ip-address.js";

class TrieNode<T> {
  /** Children by the next bit. */
  zero: TrieNode<T> | undefined = undefined;
  one: TrieNode<T> | undefined = undefined;
  /** The values added at exactly this node's CIDR, in insertion order; absent when none. */
  values: T[] | undefined = undefined;

  child(bit: number): TrieNode<T> | undefined {
    return bit === 0 ? this.zero : this.one;
  }

  setChild(bit: number, node: TrieNode<T> | undefined): void {
    if (bit === 0) this.zero = node;
    else this.one = node;
  }
}


const bitAt = (bytes: Uint8Array, index: number): number => ((bytes[index >> 3] ?? 0) >> (7 - (index & 7))) & 1;

/** The address as big-endian 32-bit words (1 for IPv4, 4 for IPv6), so a lookup reads a bit with one shift. */
function wordsOf(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push((((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0);
  return words;
}

export class CidrSet<T> {
  private readonly roots: { 4: TrieNode<T>; 6: TrieNode<T> } = { 4: new TrieNode<T>(), 6: new TrieNode<T>() };
  private count = 0;

  /** Adds `value` at `cidr` (an address is its /32 or /128); adding the same value twice keeps one. Throws a RangeError for a CIDR that does not parse. */
  add(cidr: string, value: T): void {
    const parsed = parseCidr(cidr);
    if (parsed === undefined) throw new RangeError(`"${cidr}" is not an IP address or CIDR block`);
    let node = this.roots[parsed.family];
    for (let i = 0; i < parsed.prefix; i++) {
      const bit = bitAt(parsed.bytes, i);
      let child = node.child(bit);
      if (child === undefined) node.setChild(bit, (child = new TrieNode<T>()));
      node = child;
    }
    node.values ??= [];
    if (node.values.includes(value)) return;
    node.values.push(value);
    this.count++;
  }

  /** Removes `value` at `cidr`, or every value at it when `value` is omitted; a CIDR or value not present is a no-op. */
  delete(cidr: string, value?: T): void {
    const parsed = parseCidr(cidr);
    if (parsed === undefined) return;
    const path: TrieNode<T>[] = [this.roots[parsed.family]];
    for (let i = 0; i < parsed.prefix; i++) {
      const child = path[i]!.child(bitAt(parsed.bytes, i));
      if (child === undefined) return;
      path.push(child);
    }
    const node = path[path.length - 1]!;
    const before = node.values?.length ?? 0;
    node.values = value === undefined ? undefined : node.values?.filter((v) => v !== value);
    if (node.values?.length === 0) node.values = undefined;
    this.count -= before - (node.values?.length ?? 0);
    // Prune the branch that no longer leads to a value, bottom up.
    for (let depth = path.length - 1; depth > 0; depth--) {
      const n = path[depth]!;
      if (n.values !== undefined || n.zero !== undefined || n.one !== undefined) break;
      path[depth - 1]!.setChild(bitAt(parsed.bytes, depth - 1), undefined);
    }
  }

  /** Every value whose CIDR contains `ip`, most specific CIDR first; [] for none or for text that is not an address. */
  match(ip: string): T[] {
    const address = parseIp(ip);
    if (address === undefined) return [];
    const found: T[][] = [];
    this.walk(address, (values) => {
      found.push(values);
      return false;
    });
    const out: T[] = [];
    for (let i = found.length - 1; i >= 0; i--) out.push(...found[i]!);
    return out;
  }

  /** Whether any CIDR contains `ip`; stops at the first. */
  has(ip: string): boolean {
    const address = parseIp(ip);
    return address !== undefined && this.walk(address, () => true);
  }

  /** The number of (CIDR, value) entries. */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.roots[4] = new TrieNode<T>();
    this.roots[6] = new TrieNode<T>();
    this.count = 0;
  }

  /** Visits the values on the path of `address`, least specific first, until `visit` returns true. */
  private walk(address: IpAddress, visit: (values: T[]) => boolean): boolean {
    const words = wordsOf(address.bytes);
    const width = words.length * 32;
    let node: TrieNode<T> | undefined = this.roots[address.family];
    for (let i = 0; node !== undefined; i++) {
      if (node.values !== undefined && visit(node.values)) return true;
      if (i === width) break;
      node = (words[i >>> 5]! >>> (31 - (i & 31))) & 1 ? node.one : node.zero;
    }
    return false;
  }
}
