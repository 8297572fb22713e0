import { describe, expect, it } from 'vitest';
import { ApiKeyring, apiKeyringFromEnv, hashApiKey, mintApiKey } from './keys.ts';

describe('API keys', () => {
  it('mints a key whose entry holds only its sha256, and identifies the caller by it', () => {
    const { key, entry } = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['start', 'read'] });
    expect(key).toMatch(/^cordon_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(entry)).not.toContain(key.slice(7));
    expect(entry.sha256).toBe(hashApiKey(key));
    const other = mintApiKey({ name: 'approver', principal: 'bob', scopes: ['approve'] });
    const ring = new ApiKeyring([entry, other.entry]);
    expect(ring.identify(key)).toEqual({ name: 'soar', principal: 'soar-bot', scopes: ['start', 'read'] });
    expect(ring.identify(other.key)?.principal).toBe('bob');
    expect(ring.identify(`${key}x`)).toBeUndefined();
    expect(ring.identify('')).toBeUndefined();
    expect(ring.identify(entry.sha256)).toBeUndefined(); // the stored hash is not a key
  });

  it('reads CORDON_API_KEYS and refuses a configuration it cannot trust, saying why', () => {
    const { key, entry } = mintApiKey({ name: 'soar', principal: 'soar-bot', scopes: ['read'] });
    expect(apiKeyringFromEnv({ CORDON_API_KEYS: JSON.stringify([entry]) }).identify(key)?.name).toBe('soar');
    expect(() => apiKeyringFromEnv({})).toThrow(/CORDON_API_KEYS is not set/);
    expect(() => apiKeyringFromEnv({ CORDON_API_KEYS: '{' })).toThrow(/not valid JSON/);
    expect(() => apiKeyringFromEnv({ CORDON_API_KEYS: '[]' })).toThrow(/at least one API key/);
    expect(() => apiKeyringFromEnv({ CORDON_API_KEYS: JSON.stringify([{ ...entry, sha256: 'abc' }]) })).toThrow(/0\.sha256/);
    expect(() => apiKeyringFromEnv({ CORDON_API_KEYS: JSON.stringify([{ ...entry, scopes: ['admin'] }]) })).toThrow(/0\.scopes\.0/);
    expect(() => apiKeyringFromEnv({ CORDON_API_KEYS: JSON.stringify([{ ...entry, key }]) })).toThrow(/key/);
    expect(() => apiKeyringFromEnv({ CORDON_API_KEYS: JSON.stringify([entry, entry]) })).toThrow(/unique/);
  });
});
