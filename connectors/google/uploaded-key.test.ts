// The key pair Cordon uploads: a certificate IAM accepts (X.509 v3, RSA, self-signed) whose subject is the
// replacement's label, readable back from what keys.get returns.
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateLabel, generateUploadableKey, pairsAhead, positiveSerial, replacementLabel, warmKeyPairs } from './uploaded-key.ts';

describe('uploadable key', () => {
  it('is a self-signed X.509 v3 certificate for the private key it comes with, labelled in its subject', async () => {
    const label = replacementLabel('wf-1|google:key|consumer-a');
    const { privateKeyPem, certificatePem } = await generateUploadableKey(label, new Date('2026-03-01T12:00:00Z'));
    const cert = new X509Certificate(certificatePem);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe(`CN=${label}`);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(9999);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(Date.parse('2026-03-01T12:00:00Z'));
    const signature = sign('sha256', Buffer.from('assertion'), createPrivateKey(privateKeyPem));
    expect(verify('sha256', Buffer.from('assertion'), cert.publicKey, signature)).toBe(true);
    expect(certificateLabel(certificatePem)).toBe(label);
  });

  it('takes pairs generated ahead, never the same one twice, and starts the next ones as it takes', async () => {
    warmKeyPairs();
    warmKeyPairs(); // idempotent: two ready or under way, not four
    expect(pairsAhead()).toBe(2);
    const keys = await Promise.all(Array.from({ length: 4 }, (_, i) => generateUploadableKey(replacementLabel(`wf-2|google:key|consumer-${i}`))));
    const moduli = keys.map((k) => new X509Certificate(k.certificatePem).publicKey.export({ format: 'jwk' }).n);
    expect(new Set(moduli).size).toBe(4);
    expect(new Set(keys.map((k) => k.privateKeyPem)).size).toBe(4);
    // Each certificate is for its own private key.
    for (const k of keys) {
      const signature = sign('sha256', Buffer.from('x'), createPrivateKey(k.privateKeyPem));
      expect(verify('sha256', Buffer.from('x'), new X509Certificate(k.certificatePem).publicKey, signature)).toBe(true);
    }
    expect(pairsAhead()).toBe(2); // refilled behind the takes
  });

  it('labels by a hash: one per idempotency key, and the consumer is not readable from IAM', () => {
    const a = replacementLabel('wf-1|google:key|consumer-a');
    expect(a).toBe(replacementLabel('wf-1|google:key|consumer-a'));
    expect(a).not.toBe(replacementLabel('wf-1|google:key|consumer-b'));
    expect(a).toMatch(/^cordon-replacement:[0-9a-f]{32}$/);
    expect(certificateLabel('not a certificate')).toBeUndefined();
  });
});

// Found by the fault-storm suite: a random serial starting with 0x00 is a non-minimal DER INTEGER, which
// OpenSSL (and so IAM) refuses as "illegal padding": about one certificate in 256.
it('encodes every serial as a positive, minimal DER INTEGER, whatever the random bytes', () => {
  for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
    const serial = positiveSerial(Buffer.from([first, 0x00, 0x12]));
    expect(serial[0]).toBeGreaterThan(0);
    expect(serial[0]).toBeLessThan(0x80);
    expect(serial.subarray(1)).toEqual(Buffer.from([0x00, 0x12]));
  }
});
