// The blocklist's matcher: a path-compressed binary trie over address bits (a PATRICIA trie), one per
// family. Each node is a CIDR; a node without values exists only where two branches part, so a set of n
// CIDRs holds fewer than 2n nodes, and a lookup visits only the nodes on the address's path (about log2 n,
// at most 33 for IPv4 and 129 for IPv6) however many rules there are, each visit a compare of 32-bit words.
// IPv4 and IPv6 are separate spaces: an IPv4 client (or ::ffff:a.b.c.d) matches only IPv4 blocks, and ::/0
// blocks all IPv6 but not IPv4, the way operators read 0.0.0.0/0 and ::/0.

import { parseCidr, parseIp } from "../machinery/ip-address.js";

export { normalizeIp, parseCidr } from "../machinery/ip-address.js";

/** An address or network as big-endian 32-bit words: 1 for IPv4, 4 for IPv6. */
type Words = number[];

class TrieNode<T> {
  zero: TrieNode<T> | undefined = undefined;
  one: TrieNode<T> | undefined = undefined;
  /** The values added at exactly this CIDR, in insertion order; absent on a branching node. */
  values: T[] | undefined;

  constructor(
    /** The network, bits beyond `prefix` zero. */
    readonly key: Words,
    readonly prefix: number,
    values?: T[],
  ) {
    this.values = values;
  }

  child(bit: number): TrieNode<T> | undefined {
    return bit === 0 ? this.zero : this.one;
  }

  setChild(bit: number, node: TrieNode<T> | undefined): void {
    if (bit === 0) this.zero = node;
    else this.one = node;
  }

  get onlyChild(): TrieNode<T> | undefined {
    return this.zero === undefined ? this.one : this.one === undefined ? this.zero : undefined;
  }
}

const bitAt = (words: Words, index: number): number => (words[index >>> 5]! >>> (31 - (index & 31))) & 1;

function wordsOf(bytes: Uint8Array): Words {
  const words: Words = [];
  for (let i = 0; i < bytes.length; i += 4) words.push((((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0);
  return words;
}

/** How many leading bits `a` and `b` share, at most `limit`. */
function commonBits(a: Words, b: Words, limit: number): number {
  for (let w = 0; w * 32 < limit; w++) {
    const diff = (a[w]! ^ b[w]!) >>> 0;
    if (diff !== 0) return Math.min(limit, w * 32 + Math.clz32(diff));
  }
  return limit;
}

/** `words` with every bit after the first `prefix` cleared. */
const masked = (words: Words, prefix: number): Words =>
  words.map((word, w) => {
    const keep = Math.max(0, Math.min(32, prefix - 32 * w));
    return keep === 0 ? 0 : keep === 32 ? word : (word & (~0 << (32 - keep))) >>> 0;
  });

/** Whether the network `node` contains `address`. */
const contains = <T>(node: TrieNode<T>, address: Words): boolean => commonBits(node.key, address, node.prefix) === node.prefix;

export class CidrSet<T> {
  private roots = { 4: new TrieNode<T>([0], 0), 6: new TrieNode<T>([0, 0, 0, 0], 0) };
  private count = 0;

  /** Adds `value` at `cidr` (an address is its /32 or /128); adding the same value twice keeps one. Throws a RangeError for a CIDR that does not parse. */
  add(cidr: string, value: T): void {
    const parsed = parseCidr(cidr);
    if (parsed === undefined) throw new RangeError(`"${cidr}" is not an IP address or CIDR block`);
    const key = wordsOf(parsed.bytes);
    const prefix = parsed.prefix;
    let node = this.roots[parsed.family];
    while (node.prefix < prefix) {
      const bit = bitAt(key, node.prefix);
      const child = node.child(bit);
      if (child === undefined) {
        node.setChild(bit, new TrieNode(key, prefix, []));
        node = node.child(bit)!;
        break;
      }
      const common = commonBits(key, child.key, Math.min(prefix, child.prefix));
      // The child's network holds the new one (or is it): go down.
      if (common === child.prefix) {
        node = child;
        continue;
      }
      // They part before the child ends: the new CIDR, or a branching node where they part, goes between.
      const between = common === prefix ? new TrieNode<T>(key, prefix, []) : new TrieNode<T>(masked(key, common), common);
      between.setChild(bitAt(child.key, common), child);
      if (common < prefix) between.setChild(bitAt(key, common), new TrieNode(key, prefix, []));
      node.setChild(bit, between);
      node = common === prefix ? between : between.child(bitAt(key, common))!;
      break;
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
    const key = wordsOf(parsed.bytes);
    const path: TrieNode<T>[] = [this.roots[parsed.family]];
    let node = path[0]!;
    while (node.prefix < parsed.prefix) {
      const child = node.child(bitAt(key, node.prefix));
      if (child === undefined || child.prefix > parsed.prefix || !contains(child, key)) return;
      path.push((node = child));
    }
    // Not a CIDR of the set: a branching node has no values.
    if (node.values === undefined) return;
    const kept = value === undefined ? [] : node.values.filter((v) => v !== value);
    this.count -= node.values.length - kept.length;
    node.values = kept.length > 0 ? kept : undefined;
    if (node.values === undefined && path.length > 1) this.unlink(path);
  }

  /** Every value whose CIDR contains `ip`, most specific CIDR first; [] for none or for text that is not an address. */
  match(ip: string): T[] {
    const address = parseIp(ip);
    if (address === undefined) return [];
    const found: T[][] = [];
    const words = wordsOf(address.bytes);
    for (let node: TrieNode<T> | undefined = this.roots[address.family]; node !== undefined; node = this.next(node, words)) if (node.values) found.push(node.values);
    const out: T[] = [];
    for (let i = found.length - 1; i >= 0; i--) out.push(...found[i]!);
    return out;
  }

  /** Whether any CIDR contains `ip`; stops at the first. */
  has(ip: string): boolean {
    const address = parseIp(ip);
    if (address === undefined) return false;
    const words = wordsOf(address.bytes);
    for (let node: TrieNode<T> | undefined = this.roots[address.family]; node !== undefined; node = this.next(node, words)) if (node.values) return true;
    return false;
  }

  /** The number of (CIDR, value) entries. */
  get size(): number {
    return this.count;
  }

  clear(): void {
    this.roots = { 4: new TrieNode<T>([0], 0), 6: new TrieNode<T>([0, 0, 0, 0], 0) };
    this.count = 0;
  }

  /** The child of `node` on the address's path whose network contains it, if any. */
  private next(node: TrieNode<T>, address: Words): TrieNode<T> | undefined {
    if (node.prefix === address.length * 32) return undefined;
    const child = node.child(bitAt(address, node.prefix));
    return child !== undefined && contains(child, address) ? child : undefined;
  }

  /** Takes the last node of `path`, just emptied of values, out of the trie where it no longer parts two branches. */
  private unlink(path: TrieNode<T>[]): void {
    const node = path[path.length - 1]!;
    const parent = path[path.length - 2]!;
    if (node.zero !== undefined && node.one !== undefined) return;
    // Its one child takes its place, or a leaf just goes.
    parent.setChild(bitAt(node.key, parent.prefix), node.onlyChild);
    // A branching parent left with one branch gives way to it in turn (the root always stays).
    if (node.onlyChild === undefined && parent.values === undefined && path.length > 2) {
      const grandparent = path[path.length - 3]!;
      grandparent.setChild(bitAt(parent.key, grandparent.prefix), parent.onlyChild);
    }
  }
}
