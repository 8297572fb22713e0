// IP addresses as numbers, for range lookups and allowlisted CIDR blocks. IPv4 as an unsigned 32-bit number,
// IPv6 as a bigint; an IPv4-mapped IPv6 address (::ffff:1.2.3.4) is read as its IPv4 address.

export type ParsedIp = { version: 4; value: number } | { version: 6; value: bigint };

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function parseIpv6(text: string): bigint | undefined {
  const zone = text.indexOf('%');
  if (zone >= 0 && !/^[A-Za-z0-9._-]+$/.test(text.slice(zone + 1))) return undefined;
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  if (!/^[0-9a-fA-F:.]+$/.test(bare)) return undefined;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const out: string[] = [];
    const items = s.split(':');
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        out.push((v4 >>> 16).toString(16), (v4 & 0xffff).toString(16));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(item);
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let value = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]) value = (value << 16n) | BigInt(parseInt(g, 16));
  return value;
}

const MAPPED_V4 = 0xffffn << 32n;

export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: Number(v6 - MAPPED_V4) };
  return { version: 6, value: v6 };
}

/** A CIDR block as a predicate; throws naming the block when it is not one. */
export function cidrMatcher(cidr: string): (ip: ParsedIp) => boolean {
  const slash = cidr.indexOf('/');
  const base = slash > 0 ? parseIp(cidr.slice(0, slash)) : undefined;
  const bits = Number(cidr.slice(slash + 1));
  if (!base || !Number.isInteger(bits) || bits < 0 || bits > (base.version === 4 ? 32 : 128)) throw new Error(`allowlist cidr ${cidr}: not a CIDR block`);
  if (base.version === 4) {
    const size = 2 ** (32 - bits);
    const start = Math.floor(base.value / size) * size;
    return (ip) => ip.version === 4 && ip.value >= start && ip.value < start + size;
  }
  const shift = BigInt(128 - bits);
  const prefix = base.value >> shift;
  return (ip) => ip.version === 6 && ip.value >> shift === prefix;
}
