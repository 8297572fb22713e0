// Offline IP intelligence: IP → ASN, AS organisation, country, and the ASN's class (watch/asn-classes.ts).
// Shipped data (docs/drift-watch.md, "IP intelligence", with the licences): ASNs from the `@ip-location-db/asn`
// range table (RouteViews + DB-IP, CC BY 4.0), countries from `@ip-location-db/geo-whois-asn-country-mmdb`
// (CC0 package; NRO data, CC BY 4.0). A user may point at their own MaxMind databases instead
// (CORDON_WATCH_ASN_MMDB, CORDON_WATCH_COUNTRY_MMDB): GeoLite2/GeoIP2 ASN and Country or City files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader } from 'mmdb-lib';
import { type AsnClass, asnClass } from './asn-classes.ts';
import { formatIpv4, parseIp, type ParsedIp } from './ip-address.ts';

export interface IpInfo {
  asn?: number;
  asOrg?: string;
  /** ISO 3166-1 alpha-2 */
  country?: string;
  asnClass: AsnClass;
}

export interface IpIntel {
  /** undefined when the text is not an IP address */
  lookup(ip: string): IpInfo | undefined;
  /** Where the data came from, for `cordon baseline show` and the docs. */
  readonly sources: { asn: string; country: string };
}

export interface IpIntelOptions {
  /** A MaxMind-format ASN database (GeoLite2-ASN, GeoIP2-ISP): `autonomous_system_number`, `autonomous_system_organization`. */
  asnMmdb?: string;
  /** A MaxMind-format country database (GeoLite2-Country/City): `country.iso_code`; or sapics' `country_code`. */
  countryMmdb?: string;
}

/** Ranges sorted by start, non-overlapping (as the package ships them); binary search by start. */
interface RangeTable<N> {
  starts: ArrayLike<N>;
  ends: ArrayLike<N>;
  asns: Uint32Array;
}

const requireFrom = createRequire(import.meta.url);
function packageFile(pkg: string, file: string): string {
  return join(dirname(requireFrom.resolve(`${pkg}/package.json`)), file);
}

/** `start,end,asn,org` lines; org may be quoted ("Cloudflare, Inc."). */
function parseAsnCsv<N>(text: string, num: (s: string) => N, orgs: Map<number, string>): { starts: N[]; ends: N[]; asns: number[] } {
  const starts: N[] = [];
  const ends: N[] = [];
  const asns: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = text.indexOf(',', c1 + 1);
    const c3 = text.indexOf(',', c2 + 1);
    if (c1 > 0 && c3 > 0 && c3 < eol) {
      const asn = Number(text.slice(c2 + 1, c3));
      starts.push(num(text.slice(pos, c1)));
      ends.push(num(text.slice(c1 + 1, c2)));
      asns.push(asn);
      if (!orgs.has(asn)) {
        let org = text.slice(c3 + 1, eol).trim();
        if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replaceAll('""', '"');
        if (org) orgs.set(asn, org);
      }
    }
    pos = eol + 1;
  }
  return { starts, ends, asns };
}

function findRange<N extends number | bigint>(table: RangeTable<N>, value: N): number | undefined {
  let lo = 0;
  let hi = table.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (table.starts[mid]! <= value) lo = mid + 1;
    else hi = mid - 1;
  }
  if (hi < 0 || table.ends[hi]! < value) return undefined;
  return table.asns[hi];
}

/** The shipped range table: IPv4 loaded at open (about 410,000 ranges), IPv6 on the first IPv6 lookup. */
function shippedAsnLookup(): { lookup: (ip: ParsedIp) => { asn?: number; asOrg?: string }; source: string } {
  const orgs = new Map<number, string>();
  const v4raw = parseAsnCsv(readFileSync(packageFile('@ip-location-db/asn', 'asn-ipv4-num.csv'), 'utf8'), Number, orgs);
  const v4: RangeTable<number> = { starts: Uint32Array.from(v4raw.starts), ends: Uint32Array.from(v4raw.ends), asns: Uint32Array.from(v4raw.asns) };
  let v6: RangeTable<bigint> | undefined;
  return {
    source: '@ip-location-db/asn (RouteViews + DB-IP, CC BY 4.0)',
    lookup(ip) {
      let asn: number | undefined;
      if (ip.version === 4) asn = findRange(v4, ip.value);
      else {
        if (!v6) {
          const raw = parseAsnCsv(readFileSync(packageFile('@ip-location-db/asn', 'asn-ipv6-num.csv'), 'utf8'), BigInt, orgs);
          v6 = { starts: raw.starts, ends: raw.ends, asns: Uint32Array.from(raw.asns) };
        }
        asn = findRange(v6, ip.value);
      }
      return asn === undefined ? {} : { asn, asOrg: orgs.get(asn) };
    },
  };
}

function openMmdb(path: string, what: string): Reader<Record<string, unknown>> {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (err) {
    throw new Error(`${what} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return new Reader<Record<string, unknown>>(buffer);
  } catch (err) {
    throw new Error(`${what} ${path}: not a MaxMind database (${(err as Error).message})`);
  }
}

function countryOf(record: Record<string, unknown> | null): string | undefined {
  if (!record) return undefined;
  if (typeof record.country_code === 'string') return record.country_code.toUpperCase();
  const country = record.country as { iso_code?: unknown } | undefined;
  if (typeof country?.iso_code === 'string') return country.iso_code.toUpperCase();
  return undefined;
}

const CACHE_LIMIT = 100_000;

export function openIpIntel(options: IpIntelOptions = {}): IpIntel {
  let asnLookup: (ip: ParsedIp, text: string) => { asn?: number; asOrg?: string };
  let asnSource: string;
  if (options.asnMmdb) {
    const reader = openMmdb(options.asnMmdb, 'CORDON_WATCH_ASN_MMDB');
    asnLookup = (_ip, text) => {
      const r = reader.get(text);
      const asn = r?.autonomous_system_number;
      const org = r?.autonomous_system_organization;
      return typeof asn === 'number' ? { asn, asOrg: typeof org === 'string' ? org : undefined } : {};
    };
    asnSource = `${options.asnMmdb} (${reader.metadata.databaseType})`;
  } else {
    const shipped = shippedAsnLookup();
    asnLookup = shipped.lookup;
    asnSource = shipped.source;
  }
  const countryPath = options.countryMmdb ?? packageFile('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb');
  const countries = openMmdb(countryPath, options.countryMmdb ? 'CORDON_WATCH_COUNTRY_MMDB' : 'the shipped country database');
  const countrySource = options.countryMmdb ? `${options.countryMmdb} (${countries.metadata.databaseType})` : '@ip-location-db/geo-whois-asn-country-mmdb (CC0; NRO data, CC BY 4.0)';
  const cache = new Map<string, IpInfo | undefined>();
  return {
    sources: { asn: asnSource, country: countrySource },
    lookup(text) {
      const hit = cache.get(text);
      if (hit !== undefined || cache.has(text)) return hit;
      const ip = parseIp(text.trim());
      let info: IpInfo | undefined;
      if (ip) {
        // An IPv4-mapped IPv6 address is looked up as the IPv4 address it carries.
        const canonical = ip.version === 4 ? formatIpv4(ip.value) : text.trim();
        const { asn, asOrg } = asnLookup(ip, canonical);
        info = { asnClass: asnClass(asn) };
        if (asn !== undefined) info.asn = asn;
        if (asOrg !== undefined) info.asOrg = asOrg;
        const country = countryOf(countries.get(canonical));
        if (country) info.country = country;
      }
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(text, info);
      return info;
    },
  };
}
