// The X.509 certificate IAM hands back for a key it generated (keys.get with publicKeyType
// TYPE_X509_PEM_FILE: "an X.509 v3 certificate" wrapping the public key, Cloud IAM API docs:
// projects.serviceAccounts.keys). Self-signed, subject and issuer `CN=<label>`, valid until
// 9999-12-31 like Google's own. Node reads X.509 but cannot write it, so the DER is assembled here
// from a small tree of ASN.1 nodes (RFC 5280 §4.1).
import { randomBytes, sign, type KeyObject } from 'node:crypto';

type Asn1 =
  | { seq: Asn1[] }
  | { set: Asn1[] }
  | { explicit: number; of: Asn1 }
  | { int: Buffer }
  | { oid: string }
  | { utf8: string }
  | { time: Date }
  | { bits: Buffer }
  | { null: true }
  | { der: Buffer };

const SHA256_WITH_RSA: Asn1 = { seq: [{ oid: '1.2.840.113549.1.1.11' }, { null: true }] };
const COMMON_NAME = '2.5.4.3';

/** A PEM certificate for `publicKey`, signed with `privateKey` (sha256WithRSAEncryption), naming `commonName`. */
export function selfSignedCertificate(commonName: string, privateKey: KeyObject, publicKey: KeyObject, now = new Date()): string {
  const name: Asn1 = { seq: [{ set: [{ seq: [{ oid: COMMON_NAME }, { utf8: commonName }] }] }] };
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and minimal: no leading zero byte for DER to refuse
  const tbs = encode({
    seq: [
      { explicit: 0, of: { int: Buffer.from([2]) } }, // v3
      { int: serial },
      SHA256_WITH_RSA,
      name,
      { seq: [{ time: new Date(now.getTime() - 60_000) }, { time: new Date('9999-12-31T23:59:59Z') }] },
      name,
      { der: publicKey.export({ type: 'spki', format: 'der' }) },
    ],
  });
  const certificate = encode({ seq: [{ der: tbs }, SHA256_WITH_RSA, { bits: sign('sha256', tbs, privateKey) }] });
  return `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function encode(node: Asn1): Buffer {
  if ('der' in node) return node.der;
  if ('seq' in node) return element(0x30, Buffer.concat(node.seq.map(encode)));
  if ('set' in node) return element(0x31, Buffer.concat(node.set.map(encode)));
  if ('explicit' in node) return element(0xa0 + node.explicit, encode(node.of));
  if ('int' in node) return element(0x02, node.int);
  if ('oid' in node) return element(0x06, objectIdentifier(node.oid));
  if ('utf8' in node) return element(0x0c, Buffer.from(node.utf8, 'utf8'));
  if ('bits' in node) return element(0x03, Buffer.concat([Buffer.from([0]), node.bits]));
  if ('null' in node) return element(0x05, Buffer.alloc(0));
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after.
  const digits = node.time.toISOString().replace(/\.\d{3}/, '').replace(/[-:T]/g, '');
  return node.time.getUTCFullYear() < 2050 ? element(0x17, Buffer.from(digits.slice(2))) : element(0x18, Buffer.from(digits));
}

function element(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const lengthBytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
  const length = n < 128 ? [n] : [0x80 + lengthBytes.length, ...lengthBytes];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

function objectIdentifier(dotted: string): Buffer {
  const [first, second, ...arcs] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of arcs) {
    const base128: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      base128.unshift((v % 128) | (base128.length ? 0x80 : 0));
      if (v < 128) break;
    }
    bytes.push(...base128);
  }
  return Buffer.from(bytes);
}
