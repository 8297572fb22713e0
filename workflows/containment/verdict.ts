// The verdict and the run's last evidence: restrictions undone first, then the outcome recorded,
// the replacement registry told the run ended, and the people notified. Nothing is written after it.
import { metricMeter, upsertSearchAttributes } from '@temporalio/workflow';
import type { ContainmentStatus, Outcome } from '../../schemas/containment.ts';
import { OUTCOME, STAGE } from '../search-attributes.ts';
import type { Containment } from './context.ts';
import { failureMessage } from './failures.ts';
import { undoRestrictions } from './staged.ts';

/** The outcome once every credential is verified or refused, with the reason naming what is not dead. */
export function verdict(run: Containment): { outcome: Outcome; reason?: string } {
  const { state, refusedBecause } = run;
  const notDead = state.credentials.filter((p) => p.state !== 'verified_dead' && p.state !== 'cut_off');
  const cutOff = state.credentials.filter((p) => p.state === 'cut_off').map((p) => p.credentialId);
  const alive = notDead.filter((p) => !refusedBecause.has(p.credentialId)).map((p) => p.credentialId);
  const refused = notDead.filter((p) => refusedBecause.has(p.credentialId)).map((p) => `${p.credentialId}: ${refusedBecause.get(p.credentialId)}`);
  const reason = [
    ...(alive.length ? [`still active after re-revoke and the fallback ladder: ${alive.join(', ')}`] : []),
    ...(refused.length ? [`refused: ${refused.join('; ')}`] : []),
    ...(cutOff.length ? [`cut off from the tenant but alive for their owners until deleted: ${cutOff.join(', ')} (see the evidence for what the owners must do)`] : []),
  ].join('; ');
  return { outcome: notDead.length ? 'not_contained' : cutOff.length ? 'contained_in_tenant' : 'contained', ...(reason ? { reason } : {}) };
}

export async function finish(run: Containment, outcome: Outcome, reason?: string): Promise<ContainmentStatus> {
  const { state, record } = run;
  // Restrictions are undone before the verdict is recorded: nothing is written after it.
  if (state.restrictions.some((r) => !r.undone)) await undoRestrictions(run);
  delete state.waitingOn;
  state.outcome = outcome;
  metricMeter.createCounter('cordon_containments', 'runs', 'Containments finished, by outcome').add(1, { outcome, mode: run.input.mode });
  if (reason) state.outcomeReason = reason;
  state.finishedAt = run.now();
  state.stage = 'done';
  upsertSearchAttributes([{ key: STAGE, value: 'done' }, { key: OUTCOME, value: outcome }]);
  record('finish', 'cordon', outcome, reason ? { detail: reason } : {});
  // Not a provider write: the registry learns the run ended, so later runs are not bound by its claims.
  await run.notifier.releaseReplacementClaims({ workflowId: run.workflowId }).catch((err: unknown) => record('registry', 'cordon', 'release failed', { detail: failureMessage(err) }));
  const contained = outcome === 'contained';
  await run.notify({ kind: contained ? 'completed' : 'not_contained', outcome, summary: `${outcome}${reason ? `: ${reason}` : ''}` });
  return state;
}

/** After a permanent refusal before any credential was reached, or the containment deadline: every credential not dead is not_contained. */
export function markNotContained(run: Containment): void {
  for (const p of run.state.credentials) if (p.state !== 'verified_dead' && p.state !== 'not_contained') run.transition(p.credentialId, 'not_contained');
}
