import { expect, it } from 'vitest';
import { CredentialRef } from './credential.ts';

const issue = (ref: unknown) => {
  const r = CredentialRef.safeParse(ref);
  return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

it('refuses a leaked value that does not have the provider’s shape, naming the field, never echoing the value', () => {
  const wrong = [
    { provider: 'github', kind: 'pat', leakedValue: 'xoxb-1234567890-abcdefghij' },
    { provider: 'github', kind: 'pat', leakedValue: 'ghp_short' },
    { provider: 'slack', kind: 'oauth_token', leakedValue: 'ghp_0123456789abcdefghij0123' },
    { provider: 'google', kind: 'oauth_grant', leakedValue: 'not-a-google-token' },
    { provider: 'salesforce', kind: 'oauth_token', leakedValue: 'Bearer 00Dxx' },
  ];
  for (const ref of wrong) {
    const msg = issue(ref);
    expect(msg, JSON.stringify(ref)).toMatch(/^leakedValue: this does not have the shape of a (github|slack|google|salesforce) credential/);
    expect(msg).not.toContain(ref.leakedValue);
  }
});

it('accepts each provider’s real shapes, and anything for the reference tenant', () => {
  const right = [
    { provider: 'github', kind: 'pat', leakedValue: 'ghp_govYleKxdKaTrZjWE6paaP7RyhUFyVrJDRbx' },
    { provider: 'github', kind: 'pat', leakedValue: 'github_pat_11AJL2Q0Y0JL2LC4NwEzG8kJ9cj3slNMLkwrvQAhAT35EZ' },
    { provider: 'github', kind: 'oauth_token', leakedValue: 'gho_QXQWPkTZiBnZmdRUTuSoktjaSRocVB8a1kMf' },
    { provider: 'slack', kind: 'oauth_token', leakedValue: 'xoxb-emulated-drift-bot-acme-main-0001' },
    { provider: 'google', kind: 'refresh_token', leakedValue: '1//0circleci-releasebot-refresh-71aa' },
    { provider: 'google', kind: 'service_account_key', leakedValue: JSON.stringify({ type: 'service_account', private_key_id: 'abc', private_key: '-----BEGIN PRIVATE KEY-----' }) },
    { provider: 'salesforce', kind: 'oauth_token', leakedValue: '00DHs000000AcmeE!ARabcdefghijklmnop_-.x' },
    { provider: 'salesforce', kind: 'refresh_token', leakedValue: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrCWVg' },
    { provider: 'memory', kind: 'oauth_token', leakedValue: 'anything-at-all' },
  ];
  for (const ref of right) expect(issue(ref), JSON.stringify(ref)).toBeUndefined();
});
