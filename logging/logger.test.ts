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
