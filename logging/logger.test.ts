import { describe, expect, it } from 'vitest';
import { createLogger, redactText } from './logger.ts';
import { Secret } from './secret.ts';

describe('logger redaction', () => {
  it('never writes secret-named fields, Secret values or token-shaped strings', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), level: 'debug' });
    const pat = 'ghp_' + 'A'.repeat(36);
    log.info(`revoking ${pat}`, { leakedValue: 'hunter2-hunter2', nested: { privateKey: 'k', keep: 'visible' }, s: new Secret('xoxb-123-456-abcdefghij'), text: 'token xoxb-1234567890-abcdef' });
    const out = lines.join('\n');
    expect(out).not.toContain(pat);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('xoxb-123-456');
    expect(out).not.toContain('xoxb-1234567890-abcdef');
    expect(out).toContain('visible');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', leakedValue: '[redacted]', s: '[redacted]' });
  });

  it('masks the credential shapes the Slack guard refuses too: refresh tokens, JWTs, Cordon API keys', () => {
    const refresh = '1//0drift-integration-refresh-9f2c7a1e9f2c7a1e';
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjb3Jkb24ifQ.c2lnbmF0dXJl';
    const apiKey = 'cordon_aT931-Ikukgqjd37mB8p0UgSbx5uWWUO4w0iqsr7LP4';
    const out = redactText(`refresh ${refresh}, assertion "${jwt}" key=${apiKey}`);
    for (const secret of [refresh, jwt, apiKey]) expect(out).not.toContain(secret.slice(6));
    expect(out).toContain('refresh ');
  });

  it('masks private keys in free text', () => {
    expect(redactText('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')).not.toContain('MIIE');
  });

  it('Secret prints as [redacted] everywhere but reveal()', () => {
    const s = new Secret('value-123');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(s.reveal()).toBe('value-123');
  });
});
