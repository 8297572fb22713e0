// Revoking one credential: the provider first, then (for GitHub tokens whose value is known) GitHub's
// credential revocation, which kills the token everywhere, not only in the org.
import type { WriteResult } from '../../activities/index.ts';
import type { Credential } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import type { Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';

/** Token kinds GitHub's credential revocation accepts by value (not installation tokens, not deploy keys). */
const GITHUB_BY_VALUE_KINDS: readonly string[] = ['pat', 'oauth_token', 'refresh_token'];

/** `done`: the provider's answer when the credential was revoked with its provider's others (contain.ts revokePerProvider). */
export async function revoke(run: Containment, c: Credential, key: string, done?: WriteResult): Promise<void> {
  const { acts, paced, record } = run;
  if (run.progressOf(key).state !== 'revoke_requested') run.transition(key, 'revoke_requested');
  const leakedValue = run.leakedValueOf.get(key);
  const r = done ?? (await run.untilDeadline(`revoking ${c.label}`, () => acts.revokeCredential({ credential: c, ...(leakedValue ? { leakedValue } : {}) })));
  record({ kind: 'revoked', actor: 'cordon', credentialId: key, method: 'tenant', result: r.outcome, ...(r.detail ? { detail: r.detail } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
  // The org is cut off first (above); with the value known, GitHub's credential revocation kills it everywhere.
  if (leakedValue && c.provider === 'github' && GITHUB_BY_VALUE_KINDS.includes(c.kind)) {
    try {
      const byValue = await run.untilDeadline(`reporting ${c.label} to GitHub's credential revocation`, () => paced.revokeByValue({ credential: c, leakedValue }));
      record({ kind: 'revoked', actor: 'cordon', credentialId: key, method: 'by_value', result: byValue.outcome, ...(byValue.detail ? { detail: byValue.detail } : {}) });
    } catch (err) {
      if (failureType(err) !== FAILURE_TYPES.unsupported) throw err;
      record({ kind: 'revoke_by_value_not_possible', actor: 'cordon', credentialId: key, reason: failureMessage(err) });
    }
  }
  run.transition(key, 'revoked');
}
