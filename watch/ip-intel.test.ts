import { writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cidrMatcher, parseIp } from './ip-address.ts';
import { type IpIntel, openIpIntel } from './ip-intel.ts';

describe('IP addresses', () => {
  it('parses IPv4, IPv6 (compressed, with an embedded IPv4) and IPv4-mapped IPv6; refuses the rest', () => {
    expect(parseIp('1.2.3.4')).toEqual({ version: 4, value: 0x01020304 });
    expect(parseIp('::ffff:1.2.3.4')).toEqual({ version: 4, value: 0x01020304 });
    expect(parseIp('2001:db8::1')).toEqual({ version: 6, value: (0x20010db8n << 96n) | 1n });
    expect(parseIp('::')).toEqual({ version: 6, value: 0n });
    expect(parseIp('64:ff9b::192.0.2.33')).toEqual({ version: 6, value: (0x64n << 112n) | (0xff9bn << 96n) | 0xc0000221n });
    for (const bad of ['', '1.2.3', '1.2.3.256', '01.2.3.4.5', 'a.b.c.d', '1::2::3', '2001:db8:0:0:0:0:0:0:1', 'fe80::1%eth0 x', 'localhost']) expect(parseIp(bad), bad).toBeUndefined();
  });

  it('matches CIDR blocks of either family and refuses a malformed one naming it', () => {
    const v4 = cidrMatcher('52.0.0.0/11');
    expect(v4(parseIp('52.31.255.255')!)).toBe(true);
    expect(v4(parseIp('52.32.0.0')!)).toBe(false);
    expect(v4(parseIp('2001:db8::1')!)).toBe(false);
    const v6 = cidrMatcher('2600:1f00::/24');
    expect(v6(parseIp('2600:1fff::1')!)).toBe(true);
    expect(v6(parseIp('2600:2000::1')!)).toBe(false);
    expect(cidrMatcher('0.0.0.0/0')(parseIp('8.8.8.8')!)).toBe(true);
    expect(() => cidrMatcher('10.0.0.0/33')).toThrow('allowlist cidr 10.0.0.0/33: not a CIDR block');
  });
});

describe('offline IP intelligence on the shipped data', () => {
  let intel: IpIntel;
  beforeAll(() => {
    intel = openIpIntel();
  });

  it('gives ASN, organisation, country and class for well-known networks', () => {
    expect(intel.lookup('134.209.0.10')).toEqual({ asn: 14061, asOrg: 'DigitalOcean, LLC', country: 'US', asnClass: 'hosting' });
    expect(intel.lookup('8.8.8.8')).toMatchObject({ asn: 15169, country: 'US', asnClass: 'cloud' });
    expect(intel.lookup('50.168.105.10')).toMatchObject({ asn: 7922, country: 'US', asnClass: 'corporate_isp' });
    expect(intel.lookup('78.81.0.10')).toMatchObject({ asn: 12389, country: 'RU', asnClass: 'corporate_isp' });
    expect(intel.lookup('37.19.192.10')).toMatchObject({ asn: 60068, asnClass: 'anonymising' });
  });

  it('reads IPv6 and IPv4-mapped addresses, and gives nothing for text that is not an address', () => {
    expect(intel.lookup('2a01:4f8::1')).toMatchObject({ asn: 24940, country: 'DE', asnClass: 'hosting' });
    expect(intel.lookup('::ffff:134.209.0.10')).toMatchObject({ asn: 14061, country: 'US' });
    expect(intel.lookup('not-an-ip')).toBeUndefined();
    // Private space belongs to no AS: it is the organisation's own network.
    expect(intel.lookup('10.0.0.1')).toEqual({ asnClass: 'corporate_isp' });
    expect(intel.sources.asn).toMatch(/CC BY 4\.0/);
  });

  it('reads a user’s own MaxMind-format country database, and names the variable when the file is not one', () => {
    const shipped = join(dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json')), 'geo-whois-asn-country.mmdb');
    const own = openIpIntel({ countryMmdb: shipped });
    expect(own.lookup('78.81.0.10')).toMatchObject({ country: 'RU', asn: 12389 });
    expect(own.sources.country).toContain(shipped);
    const dir = mkdtempSync(join(tmpdir(), 'cordon-ipintel-'));
    writeFileSync(join(dir, 'bogus.mmdb'), 'not a database');
    expect(() => openIpIntel({ countryMmdb: join(dir, 'bogus.mmdb') })).toThrow(/^CORDON_WATCH_COUNTRY_MMDB .*bogus\.mmdb: not a MaxMind database/);
    expect(() => openIpIntel({ asnMmdb: join(dir, 'missing.mmdb') })).toThrow(/^CORDON_WATCH_ASN_MMDB .*missing\.mmdb: cannot read it \(ENOENT\)/);
  });
});
