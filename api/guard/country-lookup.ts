// Which country a client address is in, for [ddos.geo]. By default the database claw ships:
// @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719 (npm licence CC0-1.0; its data comes from the
// RIRs' WHOIS and delegation files, CC BY 4.0 by the NRO, to be credited to nro.net), one 7.5 MiB file for
// IPv4 and IPv6 whose records are `{ country_code }`. `[ddos.geo] database = PATH` reads the operator's
// GeoLite2/GeoIP2 Country (or City) file instead, records `{ country: { iso_code } }`. Both are read with
// mmdb-lib 3.0.3 (MIT, pure JavaScript, no native build): the file is read once into memory.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { Reader, type Response } from "mmdb-lib";
import { parseIp } from "../machinery/ip-address.js";
import { CidrSet } from "./cidr-set.js";

export interface CountryLookup {
  /**
   * The ISO 3166-1 alpha-2 code (upper case) of the country `ip` is in; IPv4-mapped IPv6 is looked up as
   * IPv4. Undefined when the database does not place it, for loopback, private and other special-purpose
   * addresses, and for text that is not an address.
   */
  country(ip: string): string | undefined;
  /** Which database answers, for the log: the shipped package and version, or the operator's file, with its build date. */
  source: string;
}

const SHIPPED_PACKAGE = "@ip-location-db/geo-whois-asn-country-mmdb";
const SHIPPED_FILE = "geo-whois-asn-country.mmdb";

// IANA's special-purpose blocks (RFC 6890 and successors) belong to no country. They are answered before the
// database is asked: the shipped data wrongly places some (172.16.0.0/12, 192.168.0.0/16 and 198.51.100.0/24
// in AU, 2001:db8::/32 in JP), and ::/96 aliases IPv4 space in an IPv6 tree.
const NOT_A_COUNTRY = [
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
  "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
  "224.0.0.0/4", "240.0.0.0/4",
  "::/96", "64:ff9b:1::/48", "100::/64", "2001:2::/48", "2001:db8::/32", "3fff::/20", "fc00::/7", "fe80::/10",
  "fec0::/10", "ff00::/8",
];

// Database types that hold no country; an operator who names one would otherwise place every client nowhere.
const NOT_COUNTRY_DATABASE = /ASN|ISP|Domain|Connection-Type|Anonymous|User-Count/i;

/** Opens the shipped database, or `database` (a GeoLite2/GeoIP2 Country or City MMDB file) when given. */
export async function openCountryLookup(opts: { database?: string } = {}): Promise<CountryLookup> {
  const require = createRequire(import.meta.url);
  const path = opts.database === undefined ? require.resolve(`${SHIPPED_PACKAGE}/${SHIPPED_FILE}`) : resolve(opts.database);
  const what = opts.database === undefined ? `the shipped country database ${path}` : `the country database ${path} ([ddos.geo] database)`;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
    throw new Error(`cannot read ${what}: ${reason}`);
  }
  // A country database holds a few hundred distinct records: decoding each once saves a third of a lookup.
  const decoded = new Map<string | number, unknown>();
  const cache = { get: (offset: string | number) => decoded.get(offset), set: (offset: string | number, record: unknown) => decoded.size < 65536 && decoded.set(offset, record) };
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(bytes, { cache });
  } catch (err) {
    throw new Error(`${what} is not a MaxMind DB (MMDB) file: ${(err as Error).message}`);
  }
  const { databaseType, ipVersion, buildEpoch } = reader.metadata;
  if (typeof databaseType !== "string" || (ipVersion !== 4 && ipVersion !== 6))
    throw new Error(`${what} is not a MaxMind DB (MMDB) file: its metadata has no database type or IP version`);
  if (NOT_COUNTRY_DATABASE.test(databaseType)) throw new Error(`${what} is a ${databaseType} database, which holds no countries: use a GeoLite2/GeoIP2 Country or City file`);

  const label = opts.database === undefined ? `${SHIPPED_PACKAGE}@${shippedVersion(require)}` : path;
  const built = Number.isNaN(buildEpoch.getTime()) ? "" : `, built ${buildEpoch.toISOString().slice(0, 10)}`;
  const special = new CidrSet<true>();
  for (const cidr of NOT_A_COUNTRY) special.add(cidr, true);
  return {
    source: `${label} (${databaseType}${built})`,
    country(ip: string): string | undefined {
      const address = parseIp(ip);
      if (address === undefined || (address.family === 6 && ipVersion === 4)) return undefined;
      // Handed over as text, the reader's only input; built from the bytes for IPv4 (mapped or not), cheaply.
      const b = address.bytes;
      const text = address.family === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : ip.split("%")[0]!;
      if (special.has(text)) return undefined;
      return countryCodeOf(reader.get(text));
    },
  };
}

function shippedVersion(require: NodeRequire): string {
  const manifest: unknown = require(`${SHIPPED_PACKAGE}/package.json`);
  return isObject(manifest) && typeof manifest.version === "string" ? manifest.version : "unknown";
}

/** The code of an ip-location-db record (`country_code`) or a GeoLite2/GeoIP2 one (`country.iso_code`). */
function countryCodeOf(record: unknown): string | undefined {
  if (!isObject(record)) return undefined;
  // GeoIP2 leaves `country` out where it knows only the registrant's (some anycast and satellite networks).
  const code = record.country_code ?? isoCode(record.country) ?? isoCode(record.registered_country);
  return typeof code === "string" && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : undefined;
}

const isoCode = (value: unknown): unknown => (isObject(value) ? value.iso_code : undefined);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
