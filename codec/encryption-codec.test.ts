import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codecKeysFromEnv, EncryptionCodec, newCodecKeyEntry } from './encryption-codec.ts';

const payload = (text: string) => ({ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(text)) });

describe('EncryptionCodec', () => {
  it('round-trips, hides the plaintext and names the key id', async () => {
    const keys = codecKeysFromEnv({ CORDON_CODEC_KEYS: newCodecKeyEntry('k1') });
    const codec = new EncryptionCodec(keys);
    const [enc] = await codec.encode([payload('ghp_secretsecretsecret')]);
    expect(Buffer.from(enc!.data!).toString('latin1')).not.toContain('ghp_secret');
    expect(new TextDecoder().decode(enc!.metadata!['encryption-key-id'])).toBe('k1');
    const [dec] = await codec.decode([enc!]);
    expect(new TextDecoder().decode(dec!.data!)).toBe('"ghp_secretsecretsecret"');
  });

  it('decodes payloads of a rotated-out key while encoding with the new one', async () => {
    const old = newCodecKeyEntry('old');
    const [enc] = await new EncryptionCodec(codecKeysFromEnv({ CORDON_CODEC_KEYS: old })).encode([payload('x')]);
    const rotated = new EncryptionCodec(codecKeysFromEnv({ CORDON_CODEC_KEYS: `${newCodecKeyEntry('new')},${old}`, CORDON_CODEC_ACTIVE_KEY: 'new' }));
    expect(new TextDecoder().decode((await rotated.decode([enc!]))[0]!.data!)).toBe('"x"');
    const [again] = await rotated.encode([payload('y')]);
    expect(new TextDecoder().decode(again!.metadata!['encryption-key-id'])).toBe('new');
  });

  it('refuses tampered ciphertext and unknown key ids', async () => {
    const codec = new EncryptionCodec(codecKeysFromEnv({ CORDON_CODEC_KEYS: newCodecKeyEntry('k1') }));
    const [enc] = await codec.encode([payload('x')]);
    const tampered = { ...enc!, data: Buffer.from(enc!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([tampered])).rejects.toThrow();
    const other = new EncryptionCodec(codecKeysFromEnv({ CORDON_CODEC_KEYS: newCodecKeyEntry('k2') }));
    await expect(other.decode([enc!])).rejects.toThrow(/no codec key with id k1/);
  });

  it('refuses to start without a key, or with a malformed one, and says what to do', () => {
    expect(() => codecKeysFromEnv({})).toThrow(/CORDON_CODEC_KEYS is not set.*refuses to start/);
    expect(() => codecKeysFromEnv({ CORDON_CODEC_KEYS: `k1:${randomBytes(16).toString('base64')}` })).toThrow(/16 bytes; it must be 32/);
    expect(() => codecKeysFromEnv({ CORDON_CODEC_KEYS: newCodecKeyEntry('k1'), CORDON_CODEC_ACTIVE_KEY: 'k9' })).toThrow(/names no key/);
  });
});
