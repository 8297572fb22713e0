// Step 4, force re-authentication: exactly what the plan lists (I8), then replacements for the
// consumers of every credential it ended (I1 order). Refused or unsupported: recorded; verification decides.
import { isCancellation } from '@temporalio/workflow';
import type { CollateralProgress, ReauthTarget } from '../../schemas/containment.ts';
import { credentialKey } from '../../schemas/credential.ts';
import { FAILURE_TYPES } from '../../schemas/failure-types.ts';
import { settleAll } from './branches.ts';
import { planOf, type Containment } from './context.ts';
import { failureMessage, failureType } from './failures.ts';
import { replaceFor } from './replace.ts';

/**
 * `deferred`: the keys of the run's credentials whose principal was re-authenticated are collected there
 * instead of moving to `reauth_forced` at once (the caller moves them once the replacements running beside
 * it are in, so a credential's states keep their order: replaced, then re-authentication forced).
 * `onEnded`: called once every target's re-authentication has ended what it ends, or was refused or not
 * possible; the replacements for what it ended may still be on their way (the first verification of a
 * credential those replacements cannot be taken for starts then: verify.ts firstChecksAhead).
 */
export async function reauthenticate(run: Containment, deferred?: string[], onEnded?: () => void): Promise<void> {
  run.setStage('reauth');
  const targets = planOf(run).reauth;
  let pending = targets.length;
  const endedOne = () => {
    if (--pending === 0) onEnded?.();
  };
  if (pending === 0) onEnded?.();
  await settleAll(
    targets.map((t) =>
      forceReauth(run, t, deferred, endedOne).catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        run.record({ kind: 'reauth_not_possible', actor: 'cordon', provider: t.provider, principalId: t.principal.id, cause: 'refused', reason: `${failureType(err) ?? 'error'}: ${failureMessage(err)}` });
      }),
    ),
  );
}

/**
 * Ends exactly what the plan listed for one principal, then issues its consumers' replacements (I1 order, I8).
 * `ended` is called once, when the ending is done, refused or not possible (before the replacements).
 */
async function forceReauth(run: Containment, t: ReauthTarget, deferred: string[] | undefined, ended: () => void): Promise<void> {
  const { state, record } = run;
  const plan = planOf(run);
  const who = `${t.provider} ${t.principal.displayName} (${t.principal.id})`;
  const mine = state.credentials.filter((p) => plan.credentials.some((c) => credentialKey(c) === p.credentialId && c.provider === t.provider && c.principal.id === t.principal.id));
  if (t.notPossible) {
    ended();
    record({ kind: 'reauth_not_possible', actor: 'cordon', provider: t.provider, principalId: t.principal.id, cause: 'planned', reason: t.notPossible });
    return;
  }
  const collateral = t.ends.map((c) => {
    const entry: CollateralProgress = { credentialId: credentialKey(c), provider: c.provider, label: c.label, principalId: t.principal.id, state: 'planned', replacements: [], notReplaced: [] };
    state.collateral.push(entry);
    return { c, entry };
  });
  try {
    const r = await run.untilDeadline(`re-authentication of ${who}`, () => run.acts.forceReauth({ provider: t.provider, principal: t.principal, end: t.ends, workflowId: run.workflowId }));
    record({ kind: 'reauthenticated', actor: 'cordon', provider: t.provider, principalId: t.principal.id, result: r.outcome, ended: t.ends.length, ...(r.detail ? { detail: r.detail } : {}), ...(r.requestId ? { requestId: r.requestId } : {}) });
  } catch (err) {
    // Unsupported, or refused because it would lock Cordon out (I6): recorded, and verification decides.
    if (failureType(err) !== FAILURE_TYPES.unsupported && failureType(err) !== FAILURE_TYPES.conflict) throw err;
    record({ kind: 'reauth_not_possible', actor: 'cordon', provider: t.provider, principalId: t.principal.id, cause: 'unsupported', reason: failureMessage(err) });
    for (const { entry } of collateral) entry.state = 'not_ended';
    return;
  } finally {
    ended();
  }
  for (const p of mine) if (deferred) deferred.push(p.credentialId);
  else if (p.state !== 'not_contained') run.transition(p.credentialId, 'reauth_forced');
  for (const { c, entry } of collateral) {
    entry.state = 'ended';
    await replaceFor(run, c, entry.credentialId, c.consumers, entry, { detail: 'credential ended by re-authentication' });
  }
}
