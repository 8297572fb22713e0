// A service-account key pair Cordon generates itself and uploads with IAM keys.upload, wrapped in the
// self-signed X.509 v3 certificate keys.upload asks for (Cloud IAM API docs: projects.serviceAccounts.keys.upload,
// "an RSA public key that is wrapped in an X.509 v3 certificate"). The certificate's subject is a
// provider-side label: keys.get with publicKeyType TYPE_X509_PEM_FILE hands the certificate back (IAM holds
// no private key for an uploaded key, so it cannot issue another one), so a retried replacement finds the key
// an attempt that died before delivery uploaded, and deletes it. Keys from keys.create carry no such label.
import { createHash, generateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateRsa = promisify(generateKeyPair);

/** The subject label of a replacement minted for `idempotencyKey`: a hash, so the key's consumer is not exposed in IAM. */
export function replacementLabel(idempotencyKey: string): string {
  return `cordon-replacement:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

export interface UploadableKey {
  privateKeyPem: string;
  /** The self-signed certificate keys.upload takes (PEM, BEGIN/END lines included). */
  certificatePem: string;
}

/**
 * RSA-2048 pairs generated ahead, in this process. Finding a 2048-bit key's primes takes from tens of ms to most of
 * a second (measured 250–900 ms on the 2-core machine under load), and it sat on every Google key replacement's
 * path between the revoke and the upload. A pair is nothing before its certificate is uploaded: it is labelled,
 * certified and uploaded only when taken, never handed out twice, and dies with the process.
 */
const READY_PAIRS = 2;
type RsaPair = { privateKey: KeyObject; publicKey: KeyObject };
const readyPairs: Promise<RsaPair>[] = [];

function newPair(): Promise<RsaPair> {
  const pair = generateRsa('rsa', { modulusLength: 2048 });
  pair.catch(() => undefined); // a failed pair is the taker's to report, by generating its own
  return pair;
}

/** Starts generating pairs until READY_PAIRS are ready or under way (the Google connector calls it when a key replacement may follow). */
export function warmKeyPairs(): void {
  while (readyPairs.length < READY_PAIRS) readyPairs.push(newPair());
}

/** Pairs ready or under way (for tests). */
export function pairsAhead(): number {
  return readyPairs.length;
}

async function takePair(): Promise<RsaPair> {
  const next = readyPairs.shift();
  warmKeyPairs();
  return next ? next.catch(newPair) : newPair();
}

/** A fresh RSA-2048 key pair (one generated ahead when there is one) and its certificate, subject and issuer `CN=<label>`, valid until 9999-12-31 (as Google's own keys). */
export async function generateUploadableKey(label: string, now = new Date()): Promise<UploadableKey> {
  const { privateKey, publicKey } = await takePair();
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certificatePem: selfSignedCertificate(label, privateKey, publicKey, now) };
}

/** The subject's CN of a PEM certificate, or undefined when it is not a readable certificate. */
export function certificateLabel(certificatePem: string): string | undefined {
  try {
    const subject = new X509Certificate(certificatePem).subject;
    return subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3);
  } catch {
    return undefined;
  }
}

/** RFC 5280 certificate, DER by hand (Node can parse X.509 but not write it). Signed sha256WithRSAEncryption. */
export function selfSignedCertificate(commonName: string, privateKey: KeyObject, publicKey: KeyObject, now = new Date()): string {
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
  const serial = positiveSerial(randomBytes(16));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // [0] EXPLICIT version v3
    tlv(0x02, serial),
    sha256WithRsa,
    name,
    seq(utcTime(new Date(now.getTime() - 60_000)), tlv(0x18, Buffer.from('99991231235959Z'))), // dates after 2049 are GeneralizedTime
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0x00]), signature])));
  const lines = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

/**
 * A serial number as DER wants it: positive (top bit clear) and minimal (no leading zero byte). A random
 * first byte of 0x00 made 1 certificate in about 256 unreadable ("illegal padding"), so IAM refused it.
 */
export function positiveSerial(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out[0] = (out[0]! & 0x7f) | 0x01;
  return out;
}

function tlv(tag: number, body: Buffer): Buffer {
  let length: Buffer;
  if (body.length < 0x80) length = Buffer.from([body.length]);
  else {
    const bytes: number[] = [];
    for (let n = body.length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}
