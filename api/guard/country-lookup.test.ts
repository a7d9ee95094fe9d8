import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCidr } from "../machinery/ip-address.js";
import { openCountryLookup, type CountryLookup } from "./country-lookup.js";

const dir = mkdtempSync(join(tmpdir(), "claw-country-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the shipped database", () => {
  let lookup: CountryLookup;
  beforeAll(async () => {
    lookup = await openCountryLookup({});
  });

  // Long-lived allocations of well-known operators, as the shipped data (2.3.2026061719) places them.
  const cases: { name: string; ip: string; expected: string | undefined }[] = [
    { name: "places Google Public DNS in the US", ip: "8.8.8.8", expected: "US" },
    { name: "places Google Public DNS over IPv6 in the US", ip: "2001:4860:4860::8888", expected: "US" },
    { name: "places 1.1.1.1 in AU, where APNIC registered the research block Cloudflare announces", ip: "1.1.1.1", expected: "AU" },
    { name: "places Quad9 in the US", ip: "9.9.9.9", expected: "US" },
    { name: "places Deutsche Telekom's resolver in Germany", ip: "194.25.2.129", expected: "DE" },
    { name: "places Deutsche Telekom's IPv6 block in Germany", ip: "2003::1", expected: "DE" },
    { name: "places SoftBank's 126.0.0.0/8 in Japan", ip: "126.0.0.1", expected: "JP" },
    { name: "places Telefônica Brasil's resolver in Brazil", ip: "200.204.0.10", expected: "BR" },
    { name: "looks up IPv4-mapped IPv6 as the IPv4 address", ip: "::ffff:8.8.8.8", expected: "US" },
    { name: "looks up IPv4-mapped IPv6 in hex as the IPv4 address", ip: "::ffff:c219:281", expected: "DE" },
    { name: "places IPv4 loopback nowhere", ip: "127.0.0.1", expected: undefined },
    { name: "places IPv6 loopback nowhere", ip: "::1", expected: undefined },
    { name: "places mapped loopback nowhere", ip: "::ffff:127.0.0.1", expected: undefined },
    { name: "places 10.0.0.0/8 nowhere", ip: "10.1.2.3", expected: undefined },
    { name: "places 172.16.0.0/12 nowhere, though the data says AU", ip: "172.16.0.1", expected: undefined },
    { name: "places 192.168.0.0/16 nowhere, though the data says AU", ip: "192.168.1.1", expected: undefined },
    { name: "places a documentation address nowhere, though the data says AU", ip: "198.51.100.7", expected: undefined },
    { name: "places carrier-grade NAT nowhere", ip: "100.64.0.1", expected: undefined },
    { name: "places link-local nowhere", ip: "fe80::1%eth0", expected: undefined },
    { name: "places unique-local IPv6 nowhere", ip: "fd12:3456::1", expected: undefined },
    { name: "places the IPv6 documentation block nowhere, though the data says JP", ip: "2001:db8::1", expected: undefined },
    { name: "places IPv4-compatible IPv6 nowhere", ip: "::1.2.3.4", expected: undefined },
    { name: "places multicast nowhere", ip: "224.0.0.251", expected: undefined },
    { name: "places a host name nowhere", ip: "localhost", expected: undefined },
    { name: "places the empty string nowhere", ip: "", expected: undefined },
  ];
  it.each(cases)("$name", ({ ip, expected }) => expect(lookup.country(ip)).toBe(expected));

  it("names the package and version it answers from", () => {
    const version = (createRequire(import.meta.url)("@ip-location-db/geo-whois-asn-country-mmdb/package.json") as { version: string }).version;
    expect(lookup.source).toMatch(new RegExp(`^@ip-location-db/geo-whois-asn-country-mmdb@${version.replace(/\./g, "\\.")} \\(country ipvAll, built \\d{4}-\\d\\d-\\d\\d\\)$`));
  });
});

describe("an operator's database", () => {
  it("answers IPv4 from an IPv4-only file and places IPv6 nowhere", async () => {
    const database = createRequire(import.meta.url).resolve("@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv4.mmdb");
    const lookup = await openCountryLookup({ database });
    expect([lookup.country("8.8.8.8"), lookup.country("::ffff:8.8.8.8"), lookup.country("2001:4860:4860::8888")]).toEqual(["US", "US", undefined]);
    expect(lookup.source).toBe(`${database} (country ipv4, built ${lookup.source.match(/built (\S+)\)/)?.[1]})`);
  });

  const geoLite2 = [
    { name: "reads GeoLite2's country.iso_code", ip: "81.2.69.160", expected: "GB" },
    { name: "falls back to registered_country where GeoLite2 has no country", ip: "2a02:ffc0::1", expected: "DE" },
    { name: "places an address outside every network nowhere", ip: "8.8.8.8", expected: undefined },
    { name: "still places a private address nowhere", ip: "10.0.0.1", expected: undefined },
  ];
  it.each(geoLite2)("$name", async ({ ip, expected }) => {
    const database = join(dir, "GeoLite2-Country.mmdb");
    writeFileSync(database, mmdb("GeoLite2-Country", [
      { cidr: "81.2.69.0/24", record: { country: { iso_code: "GB", geoname_id: 2635167 }, registered_country: { iso_code: "GB" } } },
      { cidr: "2a02:ffc0::/32", record: { registered_country: { iso_code: "DE" } } },
      { cidr: "10.0.0.0/8", record: { country: { iso_code: "US" } } },
    ]));
    const lookup = await openCountryLookup({ database });
    expect(lookup.country(ip)).toBe(expected);
    expect(lookup.source).toMatch(/GeoLite2-Country\.mmdb \(GeoLite2-Country, built 2026-01-0\d\)$/);
  });

  const refused: { name: string; file: (path: string) => void; message: (path: string) => string }[] = [
    { name: "names a missing file", file: () => {}, message: (p) => `cannot read the country database ${p} ([ddos.geo] database): no such file` },
    { name: "names a file that is not an MMDB", file: (p) => writeFileSync(p, "country_code,start,end\n"), message: (p) => `the country database ${p} ([ddos.geo] database) is not a MaxMind DB (MMDB) file: ` },
    { name: "names an empty file", file: (p) => writeFileSync(p, ""), message: (p) => `the country database ${p} ([ddos.geo] database) is not a MaxMind DB (MMDB) file: ` },
    { name: "refuses an ASN database, which holds no countries", file: (p) => writeFileSync(p, mmdb("GeoLite2-ASN", [{ cidr: "8.8.8.0/24", record: { autonomous_system_number: 15169 } }])), message: (p) => `the country database ${p} ([ddos.geo] database) is a GeoLite2-ASN database, which holds no countries: use a GeoLite2/GeoIP2 Country or City file` },
  ];
  it.each(refused)("$name", async ({ name, file, message }) => {
    const database = join(dir, `${name.replace(/\W+/g, "-")}.mmdb`);
    file(database);
    const error = await openCountryLookup({ database }).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.startsWith(message(database))).toBe(true);
  });
});

type Value = string | number | Value[] | { [key: string]: Value };

/** A MaxMind DB file (format 2.0, IPv6 tree, 24-bit records) holding `networks`, IPv4 ones under ::/96. */
function mmdb(databaseType: string, networks: { cidr: string; record: Value }[]): Buffer {
  type Node = [Node | number | undefined, Node | number | undefined];
  const nodes: Node[] = [[undefined, undefined]];
  const data: Buffer[] = [];
  for (const { cidr, record } of networks) {
    const parsed = parseCidr(cidr)!;
    const bits = [...(parsed.family === 4 ? new Array<number>(96).fill(0) : [])];
    for (let i = 0; i < parsed.prefix; i++) bits.push((parsed.bytes[i >> 3]! >> (7 - (i & 7))) & 1);
    let node = nodes[0]!;
    for (const [depth, bit] of bits.entries()) {
      if (depth === bits.length - 1) node[bit] = data.length;
      else node = (node[bit] as Node | undefined) ?? (node[bit] = nodes[nodes.push([undefined, undefined]) - 1]!);
    }
    data.push(encode(record));
  }
  const offsets = data.map((_, i) => data.slice(0, i).reduce((sum, b) => sum + b.length, 0));
  const tree = Buffer.alloc(nodes.length * 6);
  nodes.forEach((node, n) =>
    node.forEach((child, side) => {
      const value = child === undefined ? nodes.length : typeof child === "number" ? nodes.length + 16 + offsets[child]! : nodes.indexOf(child);
      tree.writeUIntBE(value, n * 6 + side * 3, 3);
    }),
  );
  const metadata = encode({
    node_count: nodes.length, record_size: 24, ip_version: 6, database_type: databaseType, languages: ["en"],
    binary_format_major_version: 2, binary_format_minor_version: 0, build_epoch: Date.UTC(2026, 0, 5) / 1000, description: { en: "claw test data" },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, Buffer.from("abcdef4d61784d696e642e636f6d", "hex"), metadata]);
}

/** The MaxMind DB data encoding of maps, UTF-8 strings, uint32s and arrays (all under 29 long). */
function encode(value: Value): Buffer {
  const control = (type: number, size: number): Buffer => (type <= 7 ? Buffer.from([(type << 5) | size]) : Buffer.from([size, type - 7]));
  if (typeof value === "string") return Buffer.concat([control(2, Buffer.byteLength(value)), Buffer.from(value)]);
  if (typeof value === "number") {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return Buffer.concat([control(6, 4), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}
