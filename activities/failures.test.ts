import { ApplicationFailure } from '@temporalio/common';
import { expect, it } from 'vitest';
import { ConnectorError } from '../connectors/types.ts';
import { mapFailures, secretsIn } from './failures.ts';

const leaked = 'zzleaked_Secret\nValue_0123456789';

it('cuts a leaked value, and its pieces, out of a failure an SDK built around it', async () => {
  // fetch's own wording when a token with a newline is put in a header (seen with Octokit).
  const activity = mapFailures(async (_input: { credential: { id: string }; leakedValue: string }) => {
    throw new ConnectorError('invalid', 'github', `github: Headers.append: "token ${leaked}" is an invalid header value.`);
  });
  const err = (await activity({ credential: { id: 'c' }, leakedValue: leaked }).catch((e: unknown) => e)) as ApplicationFailure;
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err.type).toBe('connector.invalid');
  expect(err.message).not.toContain('zzleaked_Secret');
  expect(err.message).not.toContain('Value_0123456789');
  expect(err.message).toContain('[redacted]');
});

it('finds leaked values nested in refs, and nothing else', () => {
  expect(secretsIn([{ ref: { provider: 'slack', leakedValue: 'xoxb-abc def-ghijklmn' } }, { id: 'x' }])).toEqual(['xoxb-abc def-ghijklmn', 'def-ghijklmn', 'xoxb-abc']);
  expect(secretsIn([{ credential: { id: 'long-identifier-not-secret' } }])).toEqual([]);
});
